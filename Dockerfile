FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/kpi.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY kpi ./kpi
COPY storage ./storage
RUN pip install . && useradd --create-home --uid 10001 kpibot && mkdir /data && chown kpibot /data

USER kpibot
VOLUME ["/data"]
CMD ["kpibot", "run"]
