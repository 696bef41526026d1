"""Fluent translations: every user-facing string lives in bot/locales/<lang>/*.ftl.

Fluent over gettext: Russian plurals (лид / лида / лидов) are first-class CLDR categories in
the message itself, and .ftl files need no compile step in CI, Docker or a fresh clone.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from babel import localedata
from fluent.runtime import FluentBundle, FluentResource

LANGUAGES = ("ru", "en")
_LOCALES = Path(__file__).parent / "locales"
# CLDR sections the bot never formats: names of languages, territories, scripts, time zones,
# units and currencies; compact, interval and skeleton formats; relative date fields.
# They are over 90 % of a loaded locale's objects (~3 MiB of peak RSS for root + ru + en).
_UNUSED_CLDR = (
    "languages", "territories", "scripts", "variants", "time_zones", "meta_zones",
    "zone_formats", "unit_patterns", "unit_display_names", "compound_unit_patterns",
    "currency_names", "currency_names_plural", "compact_decimal_formats",
    "compact_currency_formats", "interval_formats", "datetime_skeletons", "date_fields",
    "list_patterns", "character_order", "measurement_systems",
)  # fmt: skip
log = logging.getLogger(__name__)


class Html(str):
    """Text that is already safe HTML: passed through without escaping.

    Every message the Translator formats is Html: its arguments were escaped on the way in,
    so a formatted text used as an argument of another is never escaped twice."""


class Translator:
    def __init__(self, default: str = "ru", locales_dir: Path = _LOCALES):
        self.default = default
        self._bundles: dict[str, FluentBundle] = {}
        for lang in LANGUAGES:
            # use_isolating=False: Telegram shows the FSI/PDI marks as garbage.
            bundle = FluentBundle([lang], use_isolating=False)
            for path in sorted((locales_dir / lang).glob("*.ftl")):
                bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
            self._bundles[lang] = bundle
        trim_cldr(LANGUAGES)

    def language(self, code: str | None) -> str:
        """A Telegram language_code (or a team setting) -> one of LANGUAGES."""
        code = (code or "").lower()[:2]
        return code if code in self._bundles else self.default

    def has(self, key: str, lang: str | None = None) -> bool:
        return self._bundles[self.language(lang)].has_message(key)

    def get(self, lang: str, key: str, /, **args: object) -> Html:
        """The message `key` in `lang` (falling back to the default language), HTML-safe:
        string arguments are escaped here, the one place that does it, so no view can forget."""
        return Html(self._format(lang, key, {k: _safe(v) for k, v in args.items()}))

    def plain(self, lang: str, key: str, /, **args: object) -> str:
        """The message for a plain-text place (a button label, a callback alert, a chart):
        arguments as they are, never `&lt;`. Its pattern must hold no HTML."""
        return self._format(lang, key, {k: _unescaped(v) for k, v in args.items()})

    def _format(self, lang: str, key: str, args: dict[str, object]) -> str:
        for candidate in dict.fromkeys((self.language(lang), self.default)):
            bundle = self._bundles[candidate]
            if bundle.has_message(key):
                message = bundle.get_message(key)
                text, errors = bundle.format_pattern(message.value, args)
                if errors:
                    # Fluent shows a missing argument as "{???}": never send that to a team.
                    log.error("fluent %s/%s: %s", candidate, key, errors)
                    raise TextError(f"{candidate}/{key}: {errors}")
                return text
        log.error("missing text %s", key)
        raise TextError(f"missing text {key}")

    def bind(self, lang: str) -> Texts:
        return Texts(self, self.language(lang))


def trim_cldr(languages: tuple[str, ...]) -> None:
    """Drop what the bot never formats from Babel's locale data, for every reader at once:
    `localedata.load` returns the one cached dict that Babel's Locale objects read (documented:
    "subsequent requests for the same locale return the same dictionary")."""
    for name in ("root", *languages):
        data = localedata.load(name)
        for key in _UNUSED_CLDR:
            data.pop(key, None)


class TextError(LookupError):
    """A message is missing or its arguments do not fit it (a bug, never shown to a user)."""


class Texts:
    """A Translator bound to one language: what handlers call as `t(...)`."""

    def __init__(self, translator: Translator, lang: str):
        self.translator = translator
        self.lang = lang

    def __call__(self, key: str, /, **args: object) -> Html:
        return self.translator.get(self.lang, key, **args)

    def plain(self, key: str, /, **args: object) -> str:
        return self.translator.plain(self.lang, key, **args)

    def has(self, key: str) -> bool:
        return self.translator.has(key, self.lang)


def _safe(value: object) -> object:
    if isinstance(value, Html) or not isinstance(value, str):
        return value
    return html.escape(value, quote=False)


def _unescaped(value: object) -> object:
    # A formatted message passed on to a plain-text place: undo the escaping of its arguments.
    return html.unescape(value) if isinstance(value, Html) else value
