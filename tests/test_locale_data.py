"""Babel's CLDR data, trimmed by the Translator to what the bot formats (bot/i18n.py,
`trim_cldr`): every number, date, money, period and plural reads the same as with the whole
data, and the dropped sections are really gone (~3 MiB off the digest sender's peak)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from babel import localedata

from bot import texts
from bot.i18n import LANGUAGES, Translator
from kpi.metrics import DERIVED_KPIS as KPIS
from kpi.models import Period, PeriodKind
from tests.processes import ROOT

# What the bot shows, formatted without any Translator in the process (the data whole) and
# then in this process after a Translator trimmed it.
SAMPLE = """
import json, sys
from datetime import date
from bot import texts
from bot.i18n import Translator
from kpi.metrics import DERIVED_KPIS as KPIS
from kpi.models import Period, PeriodKind

def shown(translator):
    out = []
    for lang in ("ru", "en"):
        for value in (0, 1.5, 12500, 1234567.25, -3.14159):
            out.append(texts.number(value, lang, 2))
        out.append(texts.money(15000, "RUB", lang))
        out.append(texts.money(99.5, "USD", lang))
        out.append(texts.short_date(date(2026, 11, 16), lang))
        t = translator.bind(lang)
        for kind, start, end in ((PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1)),
                                 (PeriodKind.WEEK, date(2026, 11, 16), date(2026, 11, 23)),
                                 (PeriodKind.QUARTER, date(2026, 10, 1), date(2027, 1, 1))):
            out.append(texts.period_label(Period(kind, start, end), t))
        for minutes in (15, 90, 2880):
            out.append(texts.duration(minutes, t))
        for n in (1, 2, 5, 21):
            out.append(t("dur-h", h=n))
        out.append(texts.kpi_value(98.5, KPIS["engagement_rate"], t))
    return out
"""


def _shown_with_whole_data() -> list[str]:
    script = SAMPLE + (
        "\nfrom babel import localedata\n"
        "import bot.i18n as i18n\n"
        "i18n.trim_cldr = lambda languages: None  # this side keeps the data whole\n"
        "tr = Translator('ru')\n"
        "assert 'time_zones' in localedata.load('ru')\n"
        "print(json.dumps(shown(tr)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_trimmed_locale_data_formats_everything_as_the_whole_data_does():
    namespace: dict[str, object] = {}
    exec(SAMPLE, namespace)  # the same formatting as the subprocess's, here
    translator = Translator("ru")
    for name in ("root", *LANGUAGES):
        data = localedata.load(name)
        assert not {"time_zones", "territories", "unit_patterns"} & data.keys()
        assert "months" in data and "number_symbols" in data
    trimmed = namespace["shown"](translator)  # type: ignore[operator]
    assert trimmed == _shown_with_whole_data()
    assert "12 500" in trimmed[2].replace("\u00a0", " ")  # a sanity check of the sample itself


def test_a_second_translator_leaves_the_trimmed_data_as_it_is():
    Translator("en")
    Translator("ru")
    t = Translator("en").bind("en")
    november = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))
    assert texts.period_label(november, t) == "November 2026"
    assert texts.kpi_value(12.5, KPIS["engagement_rate"], t) == "12.5\u00a0%"


def test_a_quarter_names_its_year_without_a_thousands_separator():
    quarter = Period(PeriodKind.QUARTER, date(2026, 10, 1), date(2027, 1, 1))
    assert texts.period_label(quarter, Translator("ru").bind("ru")) == "4 квартал 2026"
    assert texts.period_label(quarter, Translator("en").bind("en")) == "Q4 2026"
