"""Inflection of the 30 languages added by issue 15, one small table per language.

Same contract as :mod:`inflect`: an alias becomes ``(stem, endings)`` pairs; the matcher finds
the stem and the rest of the word must be one of the endings. Endings are written here in
their ordinary spelling and normalised like the text (``ä`` -> ``a``, Greek accents dropped).

- Case languages with a final vowel that alternates (Slavic, Baltic, Greek, Romanian,
  Georgian): the stem drops the final vowel (``Rusko`` -> ``rusk`` + a/u/em...,
  ``Ρωσία`` -> ``ρωσι`` + α/ας, ``რუსეთი`` -> ``რუსეთ`` + ი/ის/მა/ში...).
- Suffixing languages (Finnish, Estonian, Hungarian, Turkic, Armenian, Bengali, Tamil,
  Amharic): the whole alias + a case/postposition suffix (``Oroszországban``,
  ``Rusiyanın``, ``Ռուսաստանում``, ``রাশিয়ার``, ``ரஷ்யாவின்``, ``ሩሲያን``).
- No inflection (Vietnamese, Thai, Urdu, Malay, Tagalog, Swahili, Hausa): the alias only,
  or a clitic (Malay ``-nya``, Tagalog linker ``-ng``).

Inner words of multi-word names get the forms of their own word (``Spojené státy`` ->
``Spojených států``). Over-generation is harmless; irregular forms (Finnish ``Helsingissä``,
Czech ``Americe``) are listed in ``aliases_more.tsv``.
"""

from __future__ import annotations

import itertools

from .normalize import normalize_alias

E = frozenset[str]

NAME_KINDS = frozenset({"name", "formal", "short", "capital", "seat", "block"})
ADJ_KINDS = frozenset({"adj", "demonym"})


def _n(words: str) -> E:
    """Endings from a space-separated list (``_`` is the empty ending), normalised."""
    return frozenset("" if w == "_" else normalize_alias(w) for w in words.split())


# -- Slavic, Baltic, Greek, Romanian: drop the final vowel, then a case ending -------------
_VOWELS = set("aeiouyаеиоуяюъьαεηιοωυაეიოუ")
_STEM_NOUN: dict[str, E] = {
    "cs": _n("_ a e i o u y ou em ech ach ich um am ami emi ie ii ií ím iích"),
    "sk": _n("_ a e i o u y ou om och ach am ami ie ii iou ej ach"),
    "sl": _n("_ a e i o u om em ih ah ami ija ije iji ijo"),
    "hr": _n("_ a e i o u om em oj ama ima ih ije iji iju ijom ske skoj sku skom ska"),
    "sr": _n(
        "_ a e i o u om em oj ama ima ih ije iji iju ijom ske skoj sku skom ska "
        "а е и о у ом ем ој ама има их ије ији ију ијом ске ској ску ском ска"
    ),
    "bg": _n("_ а я та ия ът ят"),
    "lt": _n("_ a os ai ą oje on as o ui u e is io iui į yje iu ijos ijai iją ijoje"),
    "lv": _n("_ a as ai u ā ām e es ē ei ija ijas ijai iju ijā"),
    "el": _n("_ α ας η ης ο ου ος οι ων ους ες ε"),
    "ro": _n("_ a ei ă ia iei ul ului"),
    "ka": _n(
        "ი ის ისა მა ს ში თან იდან ზე ისთვის ით ად ისკენ ისგან ებ ები ებმა ებს ების ებთან ებში ებით "
        "სა ამდე ებისთვის ებისგან ებზე"  # the extended dative (რუსეთსა), the terminative (რუსეთამდე)
    ),
}
# Georgian names in -ა keep it before most endings (ამერიკაში) but drop it before -ის/-იდან/-ით;
# names in -ო/-ე/-უ keep the vowel (საქართველოში).
_LT_US = _n("aus umi uje")
_LV_E = _n("i")
_KA_KEEP = _n("_ მ ს ში სთან ზე სთვის სკენ სგან დან თ დ ც ც სა მდე თი")
_STEM_ADJ: dict[str, E] = {
    "cs": _n("ý á é ého ému ém ým ých ými ou í ě"),
    "sk": _n("ý á é ého ému om ým ých ými ou í ej"),
    "sl": _n("i a o e ega emu em im ih imi"),
    "hr": _n("i a o e u og oga om omu oj ih im ima"),
    "sr": _n("i a o e u og oga om omu oj ih im ima и а о е у ог ога ом ому ој их им има"),
    "bg": _n("и а о е ия ият ата ото ите"),
    "el": _n("ος η ο ου ης οι ες α ων ους ον"),
    "ro": _n("_ ă a i e ul ului ilor ii ele elor esc ească ești"),
    "ka": _n("_ ი ის მა ს ად ით ებ ები ებმა ებს ების ებთან ებში ებით ელი ებისთვის ებისგან ებზე"),
}
# Consonant-final nouns and demonyms of the same languages take these (``Irán`` -> ``Íránu``).
_CONS_NOUN: dict[str, E] = {
    "cs": _n("_ a u em e ě ovi ové ů ům y ech i ky"),
    "sk": _n("_ a u om e ovi ov och mi i y"),
    "sl": _n("_ a u om em i e ov ih"),
    "hr": _n("_ a u om e i ima ama"),
    "sr": _n("_ a u om e i ima ama а у ом е и има ама"),
    "bg": _n("_ а ът ия ите и"),
    "lt": _n("_ as o ui ą e u ai ų"),
    "lv": _n("_ s a am u ā i"),
    "el": _n("_ ς"),
    "ro": _n("_ ul ului ului ul"),
    "ka": _n("_ ის მა ს ში თან იდან ზე"),
}


# -- Suffixing languages: alias + suffix ---------------------------------------------------
def _plural(plurals: str, cases: str) -> E:
    """Turkic plural + case endings (``türklərin``, ``ruslar``, ``орыстардың``)."""
    return frozenset(p + c for p in _n(plurals) for c in _n(cases))


_FI_CASES = "_ n a ta na ssa sta lla lta lle ksi an en in on un yn aan een iin hin seen lla lta ineen"
_SUFFIX: dict[str, E] = {
    "fi": frozenset(
        a + b
        for a in _n(_FI_CASES + " " + " ".join("i" + c for c in _FI_CASES.split()[1:]))
        for b in ("", "kin", "han", "ko", "kaan")
    ),
    "et": frozenset(
        v + c for v in ("", "a", "e", "i", "u") for c in _n("_ l le lt s sse st ga d ni na ta ks t te de id")
    ),
    "hu": _n(
        "_ t ot et at ban ben ba be ból ből ról ről ra re nak nek hoz hez höz tól től on en ön n ig ért "
        "ként i ul ül beli ok ek ak ban is nál nél val vel"
    ),
    "az": _n(
        "_ ın in un ün nın nin nun nün a ə ya yə da də ta tə dan dən tan tən ı i u ü nı ni nu nü yı yi "
        "la lə yla ylə ilə lı li lu lü dakı dəki nda ndə ndan ndən na nə dır dir lılar lilər ın"
    )
    | _plural("lar lər", "_ ın in a ə da də dan dən ı i ı la lə"),
    "uz": _n("_ ning ga ka qa da dan ni lik liklar cha dagi ning ni ga dan day")
    | _plural("lar", "_ ning ga da dan ni i"),
    "kk": _n(
        "_ дың дің тың тің ның нің ға ге қа ке на не да де та те нда нде дан ден тан тен нан нен ды ді "
        "ты ті ны ні мен бен пен лық лік дық дік тық тік ғы гі дағы дегі тағы тегі ның нің ға ге"
    )
    | _plural("лар лер дар дер тар тер", "_ дың дің ға ге да де дан ден ды ді мен ы і"),
    "hy": _n("_ ի ը ն ում ից ով ին ու յի յում յից յով յին յը ն ի ները ների ներին"),
    "bn": _n("_ র ের কে য় য়ে তে ে ই ও েই রই েও রও য়ও কেও দের েরই র্"),
    "am": _n("_ ን ም ና ው ዊ ዊያን ውያን ዊት ንም ስ ውን ዋ ዋን"),
    "ms": _n("_ nya"),
    "tl": _n("_ ng"),
    "da": _n("_ s"),
    "nb": _n("_ s"),
}
_SUFFIX_ADJ: dict[str, E] = {
    "da": _n("_ e es er ere erne eren ne en ens nes"),
    "nb": _n("_ e es er ere erne eren ne en ens nes"),
    "et": _n("_ d te le ga t ks ste"),
    # Hungarian adjectives and demonyms, singular and plural, in every case (oroszokról, németeknek,
    # amerikaiakhoz, törököket); the assimilated instrumental is added per word (_hu_instrumental)
    "hu": frozenset(
        number + case
        for number in ("", "ok", "ek", "ak", "ök", "k")
        for case in _n(
            "_ t et ot at öt nak nek kal kel tal tel ért ra re ról ről hoz hez höz tól től nál nél ból ből ban ben "
            "ba be ul ül"
        )
    ),
    "hy": _n("_ ի ը ն ում ից ով ին ները ների ներին ներ ներն"),
    "ur": _n("_ وں"),
}
_ET_CASES = ("", "l", "le", "lt", "s", "sse", "st", "ga", "ni", "na", "ta", "ks")
_ET_NE: E = frozenset({"st", "si", "sed"} | {"se" + c for c in _ET_CASES} | {"ste" + c for c in _ET_CASES})
_FI_CLITICS = ("", "kin", "han", "ko", "kaan")
# Consonant gradation: a double stop or -nt- in the last syllable weakens before the closed-syllable
# endings (Tšekki -> Tšekin, Kreikka -> Kreikassa, Marokko -> Marokon, Islanti -> Islannissa).
_FI_GRADE = {"kk": "k", "pp": "p", "tt": "t", "nt": "nn"}
_FI_WEAK_CASES = ("n", "ssa", "sta", "lla", "lta", "lle", "ksi")
_FI_WEAK = frozenset(normalize_alias(c) + k for c in _FI_WEAK_CASES for k in _FI_CLITICS)
# The adjective "uusi" (new) agrees with the noun it is hyphenated to: Uudessa-Seelannissa,
# Uuteen-Seelantiin, Papua-Uuden-Guinean. Its form -> the case endings of the last part.
_FI_UUSI: dict[str, tuple[str, ...]] = {
    **{"uude" + c: (c,) for c in _FI_WEAK_CASES},
    "uuteen": ("in", "an", "en", "on", "un", "yn", "aan", "een", "iin", "seen", "hin"),
    "uutta": ("a", "ta"),
    "uutena": ("na",),
}


def _fi_weak(word: str) -> str | None:
    """The weak grade of a Finnish name ending in a vowel (``islanti`` -> ``islanni``), or None."""
    weak = _FI_GRADE.get(word[-3:-1])
    if weak is None or word[-1:] not in "aeiouy" or len(word) < 5:
        return None
    return word[:-3] + weak + word[-1]


def _fi_uusi(word: str) -> list[tuple[str, E]]:
    """Forms of a hyphenated name with ``uusi`` before its last part, in agreement."""
    parts = word.split("-")
    if len(parts) < 2 or "uusi" not in parts[:-1]:
        return []
    at = parts.index("uusi")
    last, weak = parts[-1], _fi_weak(parts[-1])
    out = []
    for form, cases in _FI_UUSI.items():
        head = "-".join(parts[:at] + [form] + parts[at + 1 : -1]) + "-"
        stem = weak if weak is not None and cases[0] in _FI_WEAK_CASES else last
        out.append((head + stem, frozenset(normalize_alias(c) + k for c in cases for k in _FI_CLITICS)))
    return out


_FI_ADJ = _n(
    "nen sen set sten sien sta siä sia siin seen sissa sista sessa sesta selle sille siksi sina sella silla "
    "sena seksi selta silta"  # essive and translative singular, ablative singular and plural (ä folds to a)
)
# Tamil: endings after a final vowel sign (ா: ரஷ்யா -> ரஷ்யாவின்), an -i/-ai (ஜெர்மனி -> ஜெர்மனியின்)
# or a final consonant (pulli ் dropped: ஈரான் -> ஈரானின்).
# A form ending in a vowel takes a doubled stop before a word starting with it (sandhi:
# இலங்கைக் கடற்படை, இந்தியத் தொழிலாளர், பாகிஸ்தானைக் குறிப்பிட).
_TA_SANDHI = ("க்", "ச்", "த்", "ப்")
_PULLI = "\u0bcd"
_TA_HARD = frozenset("கசடதபற")


def _ta(words: str) -> E:
    base = _n(words)
    return base | frozenset(
        e + normalize_alias(s) for e in base if not e.endswith(_PULLI) for s in _TA_SANDHI
    )


_TA_A = _ta("_ வின் வுக்கு வுக்கும் வில் வை விடம் வுடன் விலிருந்து வும் வோ வால் வே விற்கு வுடனான")
_TA_I = _ta("_ யின் க்கு க்கும் யில் யை யிடம் யுடன் யிலிருந்து யும் யால் யே யிற்கு யுடனான")
_TA_C = _ta("் ின் ுக்கு ுக்கும் ில் ை ிடம் ுடன் ிலிருந்து ும் ால் ே ிற்கு ுடனான")
# Nouns in -அம் (நேபாளம், வங்கதேசம்) take -த்த- before case endings: நேபாளத்தில்.
_TA_AM = _ta("த்தில் த்தின் த்துக்கு த்திற்கு த்தை த்துடன் த்திலிருந்து த்தையும் த்திலும் த்தால்")

# Amharic prepositions glued before a name (የ "of", በ "in", ለ "for", ከ "from", ስለ "about").
AM_PREFIXES = frozenset({"የ", "በ", "ለ", "ከ", "ስለ", "እንደ", "ወደ", "ከነ", "የነ", "ለነ", "በነ"})

LANGS = frozenset(
    {"vi", "th", "el", "cs", "sk", "hu", "ro", "bg", "sr", "hr", "sl", "da", "nb", "fi", "et"}
    | {"lv", "lt", "ka", "hy", "az", "kk", "uz", "ur", "bn", "ta", "ms", "tl", "sw", "am", "ha"}
)


def _word_forms(word: str, lang: str, kind: str) -> list[tuple[str, E]]:
    """``(stem, endings)`` of one word."""
    adj = kind in ADJ_KINDS
    if lang == "ta":
        if word.endswith("ம" + _PULLI) and len(word) > 3:
            return [(word[:-1], _TA_C), (word[:-2], _TA_AM)]
        if word.endswith(_PULLI):
            out = [(word[:-1], _TA_C)]
            if word[-2:-1] in _TA_HARD:  # a final hard consonant doubles: இஸ்லாமாபாத்தை
                out.append((word + word[-2], _TA_C))
            elif word[-2:-1] == "ங":  # a final ங் takes க before a vowel: பெய்ஜிங்கை
                out.append((word + "க", _TA_C))
            return out
        if word.endswith("ு"):  # கொழும்பு -> கொழும்பில்
            return [(word, frozenset({""})), (word[:-1], _TA_C)]
        if word.endswith(("ி", "ீ", "ை")):
            return [(word, _TA_I)]
        return [(word, _TA_A)]
    if lang == "fi":
        if adj and word.endswith("nen"):
            return [(word[:-3], _FI_ADJ)]
        out = [(word, _SUFFIX["fi"])]
        if word.endswith("i"):
            out.append((word[:-1] + "e", _SUFFIX["fi"]))  # Suomi -> Suomen, Suomessa
        if not adj:
            weak = _fi_weak(word)
            if weak is not None:
                out.append((weak, _FI_WEAK))
            out.extend(_fi_uusi(word))
        return out
    if lang == "ka" and word[-1:] in ("ა", "ო", "ე", "უ"):
        out = [(word, _KA_KEEP)]
        if word.endswith("ა"):
            out.append((word[:-1], _n("ის ისა იდან ით ად ისთვის ისკენ ისგან")))
        return out
    if adj and lang in ("lv", "lt") and word.endswith("u"):
        return [(word, frozenset({""}))]  # genitive plural used as an adjective: krievu, rusų
    if lang in _STEM_NOUN:
        if lang == "ka" or len(word) > 2:
            if adj and lang in _STEM_ADJ and word[-1] in _VOWELS and len(word) > 3:
                out = [(word[:-1], _STEM_ADJ[lang] | _STEM_NOUN[lang])]
                if lang in ("ro", "el") and word.endswith(("ος", "ός")):
                    out = [(word[:-2], _STEM_ADJ[lang])]
                if lang in ("cs", "sk") and word.endswith(("sky", "cky")):
                    out.append((word[:-3] + ("sti" if word.endswith("sky") else "cti"), frozenset({""})))
                return out
            if lang == "lv" and word.endswith("e") and not adj:
                # -e nouns (Berlīne, Parīze, Šveice): accusative and instrumental in -i (Berlīni)
                return [(word[:-1], (_STEM_NOUN[lang] | _LV_E) - {""})]
            if word[-1] in _VOWELS:
                # no bare stem: it is only a genitive plural ("Tong" of Tonga, "Kin" of Kina), never a
                # country's, and it is a common word in other languages (Vietnamese "Tổng", English "kin")
                return [(word[:-1], _STEM_NOUN[lang] - {""})]
            if lang == "el" and word.endswith("σ") and len(word) > 3:  # Ρώσος -> Ρώσοι (final ς folds to σ)
                return [(word[:-2], _STEM_ADJ["el"])]
            if word.endswith("ec") and lang in ("cs", "sk", "sl"):  # Izraelec -> Izraelci
                return [(word, _CONS_NOUN[lang]), (word[:-2] + "c", _CONS_NOUN[lang] | _n("ich ům ích"))]
            if word.endswith("ac") and lang in ("hr", "sr"):  # Amerikanac -> Amerikanci
                return [(word, _CONS_NOUN[lang]), (word[:-2] + "c", _CONS_NOUN[lang])]
            if word.endswith("ац") and lang == "sr":  # Украјинац -> Украјинци
                return [(word, _CONS_NOUN[lang]), (word[:-2] + "ц", _CONS_NOUN[lang])]
            if word.endswith("ец") and lang in ("bg", "sr"):  # американец -> американци
                return [(word, _CONS_NOUN[lang]), (word[:-2] + "ц", _CONS_NOUN[lang])]
            if lang == "lt" and word.endswith("us") and not adj and len(word) > 4:
                # -ius/-jus nouns (Paryžius, Vilnius, Paragvajus): genitive -aus, instrumental -umi,
                # locative -uje besides the endings below (Paryžiaus, Paragvajuje)
                return [(word[:-2], (_CONS_NOUN[lang] | _STEM_NOUN[lang] | _LT_US) - {""})]
            if lang == "lv" and word.endswith("as") and not adj and len(word) > 4:
                # feminine plural names (Filipīnas, Atēnas) decline like -a nouns in the plural:
                # Filipīnām, Filipīnu, Atēnās; "filipina" + s/m keeps the forms read before
                return [
                    (word[:-1], _CONS_NOUN[lang] | _STEM_NOUN[lang]),
                    (word[:-2], _STEM_NOUN[lang] - {""}),
                ]
            if lang in ("lt", "lv") and word.endswith(("as", "is", "us", "s")) and len(word) > 3:
                cut = 1 if lang == "lv" or word.endswith("s") and not word.endswith(("as", "is", "us")) else 2
                endings = _CONS_NOUN[lang] | _STEM_NOUN[lang]
                # Lithuanian -as/-is/-us cut whole leaves no form of its own (kinas: no "kin"); Latvian
                # cuts the -s only, and the rest is a form (ukrainis -> ukraiņi)
                if lang == "lt" and word.endswith("as"):
                    # -į (normalised "i") is the accusative of -is nouns; an -as noun takes -ą, and
                    # kin + į read Indonesian and Malay "kini" (now) as China
                    endings = endings - {"i"}
                return [(word[:-cut], endings - {""} if cut == 2 else endings)]
            if adj and lang == "ro":  # bulgar -> bulgară, bulgarii
                out = [(word, _CONS_NOUN[lang] | _STEM_ADJ[lang])]
                if word.endswith("ian"):  # canadian -> canadieni
                    out.append((word[:-2] + "en", _n("i ii ilor")))
                elif word.endswith("ean"):  # egiptean -> egipteni
                    out.append((word[:-2], _n("ni nii nilor")))
                return out
            return [(word, _CONS_NOUN[lang])]
        return [(word, frozenset({""}))]
    if adj and lang == "et" and word.endswith("ne") and len(word) > 4:
        # -ne demonyms (venelane, prantslane, jaapanlane): genitive venelase, partitive venelast, plural
        # venelased, venelaste, venelasi, and the local cases on the genitive stems (venelasele, venelastest)
        return [(word, _SUFFIX_ADJ["et"]), (word[:-2], _ET_NE)]
    if adj and lang in _SUFFIX_ADJ:
        if lang == "hu":
            return [(word, _SUFFIX_ADJ[lang]), *_hu_instrumental(word)]
        return [(word, _SUFFIX_ADJ[lang])]
    if lang in _SUFFIX:
        if lang == "hu":  # and the assimilated -val/-vel: Izraellel, Iránnal, Belarusszal, Párizzsal
            return [(word, _SUFFIX[lang]), *_hu_instrumental(word)]
        return [(word, _SUFFIX[lang])]
    return [(word, frozenset({""}))]


_HU_DIGRAPHS = ("sz", "zs", "cs", "gy", "ly", "ny", "ty")
_HU_AL: E = frozenset({"al", "el"})
_HU_VOWELS = "aeiouáéíóöőúüű"


def _hu_instrumental(word: str) -> list[tuple[str, E]]:
    """``(stem, endings)`` of the Hungarian singular instrumental of a word that ends in a consonant letter, its
    -val/-vel assimilated: a doubled last consonant (német -> némettel, Izrael -> Izraellel) or digraph (orosz ->
    orosszal, Párizs -> Párizzsal), or -jal/-jel after a y read as i (Uruguayjal). A vowel-final word keeps
    -val/-vel, which the case endings hold."""
    if not word[-1:].isalpha() or word[-1] in _HU_VOWELS:
        return []
    for digraph in _HU_DIGRAPHS:
        if word.endswith(digraph):
            return [(word[:-2] + digraph[0] + digraph, _HU_AL)]
    # a final y read as i: Uruguay -> Uruguayjal, Paraguayjal
    if word[-1] == "y" and word[-2:-1] in _HU_VOWELS:
        return [(word + "j", _HU_AL)]
    return [(word + word[-1], _HU_AL)]


def _inner_forms(word: str, lang: str, kind: str) -> list[str]:
    forms = {word}
    for k in (kind, "adj"):
        for stem, endings in _word_forms(word, lang, k):
            forms.update(stem + e for e in endings)
    return sorted(forms)


_INFLECTING = frozenset(_STEM_NOUN) | {"fi", "et", "hu"}


def expand_more(lang: str, kind: str, alias: str) -> list[tuple[str, E]]:
    """``(stem, endings)`` pairs for a normalised ``alias`` of one of :data:`LANGS`."""
    words = alias.split(" ")
    lasts = [(words[-1], frozenset({""})), *_word_forms(words[-1], lang, kind)]  # the form as listed
    if len(words) == 1:
        return lasts
    if lang not in _INFLECTING:
        head = " ".join(words[:-1]) + " "
        return [(head + s, e) for s, e in lasts]
    inner = [_inner_forms(w, lang, kind) for w in words[:-1]]
    heads = [" ".join(p) for p in itertools.islice(itertools.product(*inner), 60)]
    if lang in _STEM_NOUN and len(words) > 2:
        # the product is cut at 60; inner adjectives agree in case, so add the heads whose words
        # share one ending (Spojených arabských emirátů, Spojeným arabským emirátům)
        heads.extend(h for h in _agreeing_heads(words[:-1], lang, kind) if h not in heads)
    return [(h + " " + s, e) for h in heads for s, e in lasts]


def _agreeing_heads(words: list[str], lang: str, kind: str) -> list[str]:
    """Heads of a multi-word name whose inner words all take the same ending (a word without it
    stays as listed)."""
    per_word: list[dict[str, str]] = []
    for word in words:
        forms: dict[str, str] = {}
        for k in (kind, "adj"):
            for stem, endings in _word_forms(word, lang, k):
                for e in endings:
                    forms.setdefault(e, stem + e)
        per_word.append(forms)
    endings = sorted(set().union(*per_word))
    return [" ".join(f.get(e, w) for f, w in zip(per_word, words, strict=True)) for e in endings]
