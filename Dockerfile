# studybot: one image for every process (console, discord, slack, scheduler, db upgrade).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 1000 studybot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER studybot
WORKDIR /home/studybot
# SQLite lives in a volume unless DATABASE_URL points at PostgreSQL.
ENV DATABASE_URL=sqlite+aiosqlite:////home/studybot/data/studybot.db \
    PORT=3000 \
    LOG_FORMAT=json
VOLUME ["/home/studybot/data"]
EXPOSE 3000
ENTRYPOINT ["studybot"]
CMD ["slack"]
