"""A tap is answered before its turn is on disk, and a kill in between loses nothing (issue 24).

The callback answer only stops the spinner in the user's app; the promise that nothing a user
gave is lost rests on the update being confirmed to Telegram only after its turn was saved. So
the answer goes out side by side with the save's flush to disk, and a bot killed after the
answer and before the save handles the tap again after its restart.
"""

from __future__ import annotations

from fake_bot_api.harness import BotProcess, User, option_id
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore
from bot.telegram.for_tests import TEST_SAVE_PAUSE_ENV


async def test_a_tap_answered_before_its_save_survives_a_kill_in_between(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 2424)
    question = await user.send("/start")
    store = SessionStore(bot_process.data_dir)
    before = store.load("2424")
    assert before is not None and before.session is not None and before.session.role is None
    await bot_process.stop()
    bot_process.env[TEST_SAVE_PAUSE_ENV] = "600"  # every turn's save waits: a slow disk
    await bot_process.start()
    label = next(b["text"] for b in question.buttons() if option_id(b) == "lijn")
    query_id = bot_api.tap(2424, question.message_id, label=label)
    await bot_process.wait_for(
        lambda: bot_api.callback_queries[query_id].answered, what="the tap answered"
    )
    saved = store.load("2424")
    assert saved is not None and saved.session is not None
    assert saved.session.role is None, "answered before its turn was saved"
    bot_process.kill()
    del bot_process.env[TEST_SAVE_PAUSE_ENV]
    await bot_process.start()

    def role_kept() -> bool:
        record = store.load("2424")
        return record is not None and record.session is not None and record.session.role == "lijn"

    await bot_process.wait_for(role_kept, what="the tap handled after the restart")
    await bot_process.wait_for(
        lambda: "geen" in user.options() and bot_process.all_handled(), what="the next question"
    )
    assert [m for m in user.messages() if m.buttons()] == [user.question()]
    await user.choose("geen")  # the buttons work (the kind of work, skipped)
    # The tap's second answer after the restart is refused as a repeat, not as a rejection.
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []
