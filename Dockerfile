# Leercultuur-coach: the Telegram bot as a small image that runs as a non-root user.
# Build: docker compose build   Run: docker compose up -d   (settings come from .env)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the packages (with their YAML data and fonts) into site-packages, then drop the sources,
# so the running code is exactly what was installed.
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY dialogs /src/dialogs
COPY knowledge /src/knowledge
COPY locales /src/locales
RUN pip install /src \
    && rm -rf /src \
    # Validate the knowledge and build its store now: a broken YAML file fails the build, not a chat.
    && python -m knowledge build --quiet

# An unprivileged user owns only the data directory; the named volume mounted there inherits it.
RUN groupadd --system --gid 10001 coach \
    && useradd --system --uid 10001 --gid coach --home-dir /home/coach --create-home \
       --shell /usr/sbin/nologin coach \
    && mkdir -p /data \
    && chown coach:coach /data \
    && chmod 700 /data

USER coach
WORKDIR /home/coach
ENV BOT_DATA_DIR=/data
VOLUME ["/data"]
# Webhook mode only (BOT_MODE=webhook); polling needs no open port.
EXPOSE 8443

# Healthy = settings valid, /data writable, and the bot's heartbeat (touched every 30 s) is fresh.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

CMD ["python", "-m", "bot"]
