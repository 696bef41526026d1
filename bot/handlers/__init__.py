"""Routers in a fixed order: the first matching handler wins."""

from __future__ import annotations

from bot.capture import business, channels, discussion, posts, reactions, subscribers
from bot.handlers import (
    checkin,
    corrections,
    data,
    digests,
    errors,
    logging,
    membership,
    metrics,
    onboarding,
    rights,
    scoreboard,
    settings,
    status,
    targets,
)
from bot.routing import Router
from bot.scoreboard import TouchAfterEntry


def get_routers() -> list[Router]:
    # Filters never overlap (each command has one handler; service messages carry no
    # command), so the order is by frequency: every router before the match checks its
    # filters on each update.
    entries, fixes = logging.create_router(), corrections.create_router()
    touch = TouchAfterEntry()  # after an entry is logged or removed: the team's pinned board
    for observer in (entries.message, entries.edited_message, fixes.message, fixes.callback_query):
        observer.middleware(touch)
    return [
        # Takes every message of a linked channel's discussion group before any command
        # router (and the context middleware) sees it: a discussion group is not a team.
        discussion.create_router(),
        entries,  # /lead /qlead /post /sale /resp /log and their edits
        status.create_router(),  # /kpi /me
        checkin.create_router(),  # /checkin, `/start checkin`, its buttons, typed values, /keys
        membership.create_router(),  # service messages: joins and leaves
        onboarding.create_router(),  # /start, /help, /team, the bot added to a group
        targets.create_router(),  # /target /targets /top
        digests.create_router(),  # /report /remind
        settings.create_router(),  # /settings and its buttons
        metrics.create_router(),  # /metric add
        fixes,  # /undo /history
        data.create_router(),  # /export
        scoreboard.create_router(),  # /pin, /pin off; pins made by hand
        # Telegram capture (SPEC §10): their own update types, except /channel /invite /iam.
        posts.create_router(),  # channel_post
        reactions.create_router(),  # message_reaction_count
        subscribers.create_router(),  # chat_member of channels
        business.create_router(),  # business_connection, business_message
        channels.create_router(),  # /channel /invite /iam
        # No message handlers: last, so no message passes them on its way. An error goes
        # through every router in this order, wherever it was raised.
        rights.create_router(),  # chat_member updates; refuses when Telegram can't tell rights
        errors.create_router(),  # catches every other failure
    ]
