"""A real headless Chromium for the tests that look at a page: Debian's, driven by Selenium.

Why Debian's packages: Playwright's and Selenium Manager's own browser downloads need their
servers; `apt-get install chromium chromium-driver` needs only the distribution's mirror, which a
fresh machine that can install the project can reach. The project's setup installs them (`make
browser`, run by `make test`); when they are missing and the tests run as root, :func:`chromium`
installs them itself, once, under a lock (pytest-xdist workers start together). Only where no
browser can be installed (not root, no apt-get, no mirror) is the test skipped, saying why.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

BROWSER = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
LOCK = Path(tempfile.gettempdir()) / "leercultuur-chromium-install.lock"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def _present() -> bool:
    return BROWSER.is_file() and DRIVER.is_file()


def chromium() -> str | None:
    """Make sure Chromium and its driver are there; None when they are, else why they are not."""
    if _present():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return (
            "Chromium is not installed and cannot be installed here (needs root and apt-get):"
            " run `make browser` as root, or `apt-get install -y chromium chromium-driver`"
        )
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _present():
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            for command in (["apt-get", "update"], ["apt-get", "install", "-y", *PACKAGES]):
                done = subprocess.run(command, env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
                    return f"`{' '.join(command)}` failed: {' '.join(tail)}"
    return None if _present() else "apt-get ran, but /usr/bin/chromium is still missing"


@contextmanager
def headless(width: int, height: int) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile, closed (and its profile removed) afterwards."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(BROWSER)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
        try:
            yield driver
        finally:
            driver.quit()


def viewport(driver: webdriver.Chrome, width: int, height: int, *, mobile: bool = False) -> None:
    """Lay the page out at exactly `width` x `height` CSS pixels (a phone's too: a headless
    window cannot be made narrower than 500 pixels)."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
