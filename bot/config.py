"""Settings from the environment or .env (pydantic-settings)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL

_TOKEN_IN_PATH = re.compile(r"/bot\d+:", re.IGNORECASE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = Field(description="token from @BotFather")
    database_path: Path = Path("./data/kpi.sqlite3")
    telegram_api_url: str | None = None  # a local Bot API server, or a test server
    default_timezone: str = "Europe/Moscow"
    default_language: Literal["ru", "en"] = "ru"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    polling_timeout: int = Field(default=30, ge=1, le=60)  # getUpdates long-poll seconds
    admin_cache_seconds: int = Field(default=300, ge=0)  # how long group admins are trusted

    # Webhook mode (production behind a reverse proxy); polling when WEBHOOK_URL is empty.
    webhook_url: str | None = None  # public HTTPS URL Telegram posts updates to
    webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token
    webhook_host: str = "127.0.0.1"  # where the bot's own HTTP server listens
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram/webhook"

    # Online SQLite backups on a schedule, keeping the newest BACKUP_KEEP files.
    backup_dir: Path | None = None  # empty: no scheduled backups (`kpibot backup` still works)
    backup_every_hours: float = Field(default=24, gt=0)
    backup_keep: int = Field(default=14, ge=1)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if problem := api_url_problem(value):
            raise ValueError(f"{problem}; expected a base address like http://127.0.0.1:8081")
        return value


def api_url_problem(url: str) -> str | None:
    """What is wrong with a Bot API base address, without repeating it: aiogram appends
    /bot<token>/<method>, so an address aiohttp cannot parse would put the token into the
    error text (and the operator may have pasted the token into it)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "has spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not 0-65535
        URL(url)  # what aiohttp will parse it with
    except ValueError:
        return "is not a valid URL (check the port, brackets and characters)"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must not have a ?query or #fragment"
    if _TOKEN_IN_PATH.search(parts.path):
        return "must not contain /bot<token>: the bot adds it"
    return None
