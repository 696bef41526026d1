"""Routers in a fixed order: the first matching handler wins."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    corrections,
    digests,
    errors,
    logging,
    membership,
    metrics,
    onboarding,
    settings,
    status,
    targets,
)


def get_routers() -> list[Router]:
    return [
        errors.router,  # catches failures of every router below
        membership.router,  # service messages (joins/leaves) before any command
        onboarding.router,  # /start, /help, /team, the bot added to a group
        logging.router,  # /lead /qlead /post /sale /resp /log and their edits
        status.router,  # /kpi /me
        targets.router,  # /target /targets /top
        digests.router,  # /report /remind
        settings.router,  # /settings and its buttons
        metrics.router,  # /metric add
        corrections.router,  # /undo /history
    ]
