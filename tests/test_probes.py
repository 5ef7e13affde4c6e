"""benchmarks/probes.py --check: probe stances against the guidelines' (a stand-in classifier)."""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks.probes import PROBES, misreadings


class Reads:
    """Reads every probe as the guidelines do, except the stances given in ``wrong``."""

    def __init__(self, wrong: dict[tuple[str, str], str | None]) -> None:
        self.wrong = wrong

    def classify(self, text: str, lang: str | None = None) -> list[SimpleNamespace]:
        want = next(w for t, _, w in PROBES if t == text)
        got = {c: self.wrong.get((text, c), s) for c, s in want.items()}
        return [SimpleNamespace(country=c, stance=s) for c, s in got.items() if s is not None]


def test_misreadings_name_each_wrong_or_missing_country() -> None:
    assert misreadings(Reads({})) == []
    fire = "India and Pakistan exchanged fire."
    wrong = misreadings(Reads({(fire, "PAK"): "cooperative", (fire, "IND"): None}))
    assert wrong == [
        f"{fire}: IND got None, want conflictual",
        f"{fire}: PAK got cooperative, want conflictual",
    ]
    assert all(len(want) >= 2 for _, _, want in PROBES)  # every probe checks at least two countries
