# studybot: one image for every process (slack, discord, scheduler, db upgrade, console).
# The command is the whole `studybot …` line, as in the Procfile: `docker run IMAGE studybot discord`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c requirements.lock .

FROM python:3.11-slim
RUN useradd --create-home --uid 1000 studybot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER studybot
WORKDIR /home/studybot
# Procfile hosts that build from this Dockerfile (Dokku) read the process types from the working directory.
COPY Procfile ./
# Created by the bot's user before VOLUME, so a new volume is writable by it (not owned by root).
RUN mkdir -p /home/studybot/data
# SQLite lives in the volume unless DATABASE_URL points at PostgreSQL.
ENV DATABASE_URL=sqlite+aiosqlite:////home/studybot/data/studybot.db \
    PORT=3000 \
    LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
VOLUME ["/home/studybot/data"]
EXPOSE 3000
# No ENTRYPOINT: Procfile hosts run each process type's command in the image as it is written.
CMD ["studybot", "slack"]
