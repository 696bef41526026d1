"""Fluent translations: every user-facing string lives in bot/locales/<lang>/*.ftl.

Fluent over gettext: Russian plurals (лид / лида / лидов) are first-class CLDR categories in
the message itself, and .ftl files need no compile step in CI, Docker or a fresh clone.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource

LANGUAGES = ("ru", "en")
_LOCALES = Path(__file__).parent / "locales"
log = logging.getLogger(__name__)


class Html(str):
    """Text that is already safe HTML: passed through without escaping."""


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

    def language(self, code: str | None) -> str:
        """A Telegram language_code (or a team setting) -> one of LANGUAGES."""
        code = (code or "").lower()[:2]
        return code if code in self._bundles else self.default

    def has(self, key: str, lang: str | None = None) -> bool:
        return self._bundles[self.language(lang)].has_message(key)

    def get(self, lang: str, key: str, /, **args: object) -> str:
        """The message `key` in `lang` (falling back to the default language), HTML-safe."""
        for candidate in dict.fromkeys((self.language(lang), self.default)):
            bundle = self._bundles[candidate]
            if bundle.has_message(key):
                message = bundle.get_message(key)
                safe = {k: _safe(v) for k, v in args.items()}
                text, errors = bundle.format_pattern(message.value, safe)
                for error in errors:
                    log.warning("fluent %s/%s: %s", candidate, key, error)
                return text
        log.error("missing text %s", key)
        return key

    def bind(self, lang: str) -> Texts:
        return Texts(self, self.language(lang))


class Texts:
    """A Translator bound to one language: what handlers call as `t(...)`."""

    def __init__(self, translator: Translator, lang: str):
        self.translator = translator
        self.lang = lang

    def __call__(self, key: str, /, **args: object) -> str:
        return self.translator.get(self.lang, key, **args)

    def has(self, key: str) -> bool:
        return self.translator.has(key, self.lang)


def _safe(value: object) -> object:
    if isinstance(value, Html) or not isinstance(value, str):
        return value
    return html.escape(value, quote=False)
