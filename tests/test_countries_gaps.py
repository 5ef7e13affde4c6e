"""Issue 15, the gaps behind the training data's bad rows: forms the finder missed in the 50
languages (adjectives, capitals, inflected and glued forms), the rules they needed, and the
false friends those forms must not create."""

from __future__ import annotations

import pytest

from inference.countries import find_countries


def _codes(text: str, lang: str | None = None) -> set[str]:
    return {m.country for m in find_countries(text, lang)}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # adjectives and demonyms
        ("Ministr přivítal venezuelskou delegaci a litevské diplomaty.", "cs", {"VEN", "LTU"}),
        ("Súdánský generál jednal s keňským velvyslancem.", "cs", {"SDN", "KEN"}),
        ("Kenská a kórejská delegácia pricestovala do Bratislavy.", "sk", {"KEN", "KOR", "SVK"}),
        ("Loď plávala pod gréckou vlajkou.", "sk", {"GRC"}),
        ("Brod pod grčkom i ciparskom zastavom uplovio je u luku.", "hr", {"GRC", "CYP"}),
        ("Korejskih turista je sve više.", "hr", {"KOR"}),
        ("Грчки брод је упловио у луку.", "sr", {"GRC"}),
        ("Ladja pod grško zastavo je priplula v Koper.", "sl", {"GRC"}),
        ("Η καναδική κυβέρνηση κάλεσε τους Ολλανδούς επενδυτές.", "el", {"CAN", "NLD"}),
        ("Η Ολλανδία και το Κόσοβο υπέγραψαν συμφωνία.", "el", {"NLD", "XKX"}),
        ("A litván és a belarusz külügyminiszter találkozott.", "hu", {"LTU", "BLR"}),
        ("A jordániai és a szerbiai küldöttség Boszniába utazott.", "hu", {"JOR", "SRB", "BIH"}),
        ("Kenialaiset ja valkovenäläiset urheilijat saapuivat.", "fi", {"KEN", "BLR"}),
        ("Prantsuse ja Eesti ministrid kohtusid.", "et", {"FRA", "EST"}),
        ("Ֆրանսիացի և քենիացի լրագրողները ժամանեցին։", "hy", {"FRA", "KEN"}),
        ("Հնդկական ընկերությունը բացեց գրասենյակ։", "hy", {"IND"}),
        ("ბრიტანელმა და კენიელმა სპორტსმენებმა გაიმარჯვეს.", "ka", {"GBR", "KEN"}),
        ("Olandų ir ukrainiečių kariai treniruojasi kartu.", "lt", {"NLD", "UKR"}),
        ("Ukrainiečiai dirba Lietuvoje.", "lt", {"UKR", "LTU"}),
        ("Studenți nigerieni și greci au protestat.", "ro", {"NGA", "GRC"}),
        ("Un petrolier grecesc a fost reținut.", "ro", {"GRC"}),
        ("Polakker arbeider i Norge.", "nb", {"POL", "NOR"}),
        ("Mange polakker bor i Danmark.", "da", {"POL", "DNK"}),
        ("Ikki nemis jurnalisti ozod qilindi.", "uz", {"DEU"}),
        ("Wafanyabiashara wa Kichina na madaktari wa Kitanzania walikutana.", "sw", {"CHN", "TZA"}),
        ("Maraming turistang Koreano ang dumating.", "tl", {"KOR"}),
        ("นักท่องเที่ยวชาวอเมริกันเดินทางมาถึงกรุงเทพฯ", "th", {"USA", "THA"}),
        ("ஆஸ்திரேலிய மற்றும் கென்ய வீரர்கள் வென்றனர்.", "ta", {"AUS", "KEN"}),
        ("இஸ்ரேலிய அமைச்சர் கம்போடியத் தூதரைச் சந்தித்தார்.", "ta", {"ISR", "KHM"}),
        ("পাঁচজন কম্বোডীয় শ্রমিক ফিরে এসেছেন।", "bn", {"KHM"}),
        # names, capitals and seats
        ("Οτάβα και Αθήνα συμφώνησαν.", "el", {"CAN", "GRC"}),
        ("Peaminister sõitis Ankarasse.", "et", {"TUR"}),
        ("Islannissa ja Irlannissa äänestetään.", "fi", {"ISL", "IRL"}),
        ("ლიტვამ და ლიტვის მთავრობამ განაცხადა.", "ka", {"LTU"}),
        ("Դելին և Բաքվի իշխանությունները", "hy", {"IND", "AZE"}),
        ("Ostona va Astana bir shahar.", "uz", {"KAZ"}),
        ("Moʻgʻulistonning poytaxti.", "uz", {"MNG"}),
        ("Kanberra va Pekin muzokara olib bordi.", "uz", {"AUS", "CHN"}),
        ("Kanbera noraidīja apsūdzības.", "lv", {"AUS"}),
        ("Phnôm Pênh phản đối.", "vi", {"KHM"}),
        ("Inakusahan ng Ehipto ang Sudan.", "tl", {"EGY", "SDN"}),
        ("ملائیشیا اور پاکستان کے درمیان معاہدہ ہوا۔", "ur", {"MYS", "PAK"}),
        ("মিসর ও সুদান আলোচনা করেছে।", "bn", {"EGY", "SDN"}),
        ("ዚምባብዌ እና ኬንያ ስምምነት ተፈራረሙ።", "am", {"ZWE", "KEN"}),
        ("የተባበሩት አረብ ኤምሬቶች ልዑክ ደረሰ።", "am", {"ARE"}),
        ("புது தில்லி இஸ்லாமாபாத்தை விமர்சித்தது.", "ta", {"IND", "PAK"}),
        ("வங்கதேசம் மற்றும் துருக்கி ஒப்பந்தம் செய்தன.", "ta", {"BGD", "TUR"}),
        # inflection rules: Tamil sandhi and -am nouns, Turkic plurals, Amharic definite
        # accusative, Romanian and Serbian endings, Urdu oblique plural
        ("இலங்கைக் கப்பல் நேபாளத்துக்குச் சென்றது.", "ta", {"LKA", "NPL"}),
        ("இந்தியத் தூதர் பாகிஸ்தானைக் கண்டித்தார்.", "ta", {"IND", "PAK"}),
        ("Bakıda yaşayan türklərin və rusların sayı", "az", {"AZE", "TUR", "RUS"}),
        ("Toshkentdagi ruslarning soni", "uz", {"UZB", "RUS"}),
        ("Астанадағы орыстардың саны", "kk", {"KAZ", "RUS"}),
        ("የካምፓላውን ስብሰባ", "am", {"UGA"}),
        ("Delegația bulgară și cea ungară au sosit.", "ro", {"BGR", "HUN"}),
        ("Украјинци и Американци", "sr", {"UKR", "USA"}),
        ("سعودی عرب میں پاکستانیوں کی تعداد", "ur", {"SAU", "PAK"}),
        # multi-country forms: hyphenated combining forms and glued compounds
        ("relațiile româno-ungare", "ro", {"ROU", "HUN"}),
        ("suomalais-virolainen yhteistyö", "fi", {"FIN", "EST"}),
        ("የኢትዮ-ኬንያ ድንበር", "am", {"ETH", "KEN"}),
        ("Οι ελληνοτουρκικές σχέσεις και τα ελληνοαλβανικά σύνορα", "el", {"GRC", "TUR", "ALB"}),
        ("پاک چین راہداری اور پاک افغان سرحد", "ur", {"PAK", "CHN", "AFG"}),
        ("Қазақ-қытай шекарасы", "kk", {"KAZ", "CHN"}),
        # Korean 주 "resident in" before an envoy noun
        ("정부는 주러시아 대사를 소환했다.", "ko", {"RUS"}),
    ],
)
def test_gap_forms_found(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mali chłopcy bawili się na podwórku.", "pl"),  # "mali" = small
        ("Mali ludzie też mają marzenia.", "pl"),
        ("Anazungumza Kiingereza na Kichina vizuri.", "sw"),  # language names
        ("Kitabu kimetafsiriwa kwa Kichina.", "sw"),
        ("Somo la lugha ya Kichina linaanza leo.", "sw"),
        ("นายจอร์แดน สมิธ จะเปิดคอนเสิร์ต", "th"),  # Mr Jordan Smith
        ("그 집에는 주인도 없었다.", "ko"),  # 주인도 "the owner too", not 주 + 인도 (India)
        ("La gimnasta Jordan Chiles ganó.", "es"),  # a person, and not a Spanish form
    ],
)
def test_gap_false_friends_not_found(text: str, lang: str) -> None:
    assert _codes(text, lang) == set()


def test_polish_mali_is_the_country_after_a_preposition_or_before_a_verb() -> None:
    assert _codes("W Mali żołnierze przejęli władzę.", "pl") == {"MLI"}
    assert _codes("Mali podpisało umowę z Francją.", "pl") == {"MLI", "FRA"}
    assert _codes("Mali i Niger zerwały stosunki.", "pl") == {"MLI", "NER"}


def test_azerbaijani_inflected_capital_is_not_a_person() -> None:
    # "Parisin" (genitive) between two capitalised words is the capital, not "Paris Hilton"
    assert _codes("Bakı Parisin Qarabağla bağlı bəyanatını pisləyib.", "az") == {"AZE", "FRA"}
    assert _codes("Paris Hilton Bakıya gəldi.", "az") == {"AZE"}


def test_hinted_language_wins_a_tie_between_readings() -> None:
    # Slovak slovensk- is Slovakia, Slovene slovensk- is Slovenia: the hint decides
    assert _codes("Slovenskí hasiči pomáhali v Grécku.", "sk") == {"SVK", "GRC"}
    assert _codes("Slovensko-italijanski odnosi so dobri.", "sl") == {"SVN", "ITA"}
    # Chinese 中美 over Japanese 在中 ("resident in China") at the same length
    assert _codes("雅加达不会在中美之间选边站。", "zh") == {"IDN", "CHN", "USA"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # identified as another language whose stem does not read the word: still found
        ("Amerikanerne forhandlede med iranerne i Oman.", {"USA", "IRN", "OMN"}),
        ("Poola ja Rootsi saatsid Ukrainale relvi.", {"POL", "SWE", "UKR"}),
        ("Американци и Руси разговарали су у Женеви.", {"USA", "RUS"}),
        ("Turecko zadrželo Rusy na hranici se Sýrií.", {"TUR", "RUS", "SYR"}),
    ],
)
def test_wrong_identification_hides_nothing(text: str, expected: set[str]) -> None:
    assert _codes(text) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Pákistánská vláda odsoudila egyptské úřady.", "cs", {"PAK", "EGY"}),
        ("Severokórejské rakety znepokojili kanadských diplomatov.", "sk", {"PRK", "CAN"}),
        ("Meksički i brazilski ministri sastali su se s norveškim kolegom.", "hr", {"MEX", "BRA", "NOR"}),
        ("Јапански и аустралијски бродови", "sr", {"JPN", "AUS"}),
        ("Japanski premijer i indijska delegacija", "sr", {"JPN", "IND"}),
        ("Avstralski in japonski ministri", "sl", {"AUS", "JPN"}),
        ("Пакистанските и египетските власти", "bg", {"PAK", "EGY"}),
        (
            "Turiști canadieni și egipteni au sosit, iar delegația mexicană a plecat.",
            "ro",
            {"CAN", "EGY", "MEX"},
        ),
        ("A pakisztáni és a mexikói külügyminiszter tárgyalt.", "hu", {"PAK", "MEX"}),
        ("Kanadalaiset ja meksikolaiset tutkijat", "fi", {"CAN", "MEX"}),
        ("Η αυστραλιανή και η πορτογαλική αντιπροσωπεία", "el", {"AUS", "PRT"}),
        ("Pakistanske og canadiske soldater", "da", {"PAK", "CAN"}),
        ("Den kanadiske og den greske regjeringen", "nb", {"CAN", "GRC"}),
    ],
)
def test_adjectives_of_much_named_states(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Indonesia dan Malaysia sepakat.", "id"),  # "dan" (and) is not Hungarian dán
        ("Người dân Lào đổ về biên giới.", "vi"),  # "dân" (people)
        ("Skattereglene er gresk for de fleste.", "nb"),  # "Greek to me"
        ("Det er græsk for mig.", "da"),
    ],
)
def test_new_adjectives_do_not_fire_on_common_words(text: str, lang: str) -> None:
    codes = _codes(text, lang) | _codes(text)
    assert "DNK" not in codes and "GRC" not in codes


# Found while writing more training data (session of 2026-12-03): a bare stem that is no case of the
# country matched common words in other languages, and some forms were missing.
@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Tổng thống Pháp đã gặp Thủ tướng Đức.", "vi", {"FRA", "DEU"}),  # Tổng: no Tonga
        ("Tổng thống Pháp đã gặp Thủ tướng Đức.", None, {"FRA", "DEU"}),
        ("The victims' next of kin were informed.", None, set()),  # kin: no Kina/kinas
        ("Kinu cha nyuklia kilijengwa na Urusi.", "sw", {"RUS"}),  # kinu: a mill, a reactor
        ("Brod je plovio u Japanskom moru, blizu Japana.", "hr", {"JPN"}),  # a sea is no mention
        ("Razarač je prošao Tajvanskim tjesnacem.", "hr", set()),
        (
            "Delegacja z Chin i Czech przyjechała do Włoch.",
            "pl",
            {"CHN", "CZE", "ITA"},
        ),  # plural names keep it
        ("Ukraiņi strādā Latvijā.", "lv", {"UKR", "LVA"}),
        ("Kuba i Kina potpisale su sporazum.", "hr", {"CUB", "CHN"}),
        (
            "Delegacija je stigla panamskim brodom, a tajvanskog ministra dočekali su poljskim zastavama.",
            "hr",
            {"PAN", "TWN", "POL"},
        ),
        ("Eesti saatis abi Leetu ja Palestiina aladele.", "et", {"EST", "LTU", "PSE"}),
        ("ኡጋንዳ እና ሄይቲ ስምምነት ተፈራረሙ።", "am", {"UGA", "HTI"}),
        ("ரஷ்யாவுக்கும் உக்ரைனுக்கும் இடையே பேச்சுவார்த்தை பெய்ஜிங்கை நோக்கி நகர்ந்தது.", "ta", {"RUS", "UKR", "CHN"}),
    ],
)
def test_no_bare_stems_and_the_forms_added(text: str, lang: str | None, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


def test_the_danube_is_not_vienna_in_czech_and_slovak() -> None:
    # Slovene "Dunaj" is Vienna; in Czech and Slovak it is the river (a hint-only blocker there)
    text = "Ruské drony zaútočily na ukrajinské přístavy na Dunaji."
    assert _codes(text, "cs") == _codes(text) == {"RUS", "UKR"}  # identified as Czech without the hint
    assert _codes("Slovensko a Maďarsko podpísali dohodu o novom moste cez Dunaj.", "sk") == {"SVK", "HUN"}
    assert _codes("Minister je odpotoval na Dunaj.", "sl") == {"AUT"}


# Issue 15 follow-up: forms the writers of training sentences reported missing, each found with the
# language hint and without it (the hint is not needed for any of them).
_REPORTED = [
    ("Vláda poslala humanitárnu pomoc Filipínam po tajfúne.", "sk", {"PHL"}),  # dative plural -am
    ("Počet Fínov žijúcich na Slovensku rastie.", "sk", {"FIN", "SVK"}),  # demonym Fín
    ("Paryžiaus susitarimas buvo pasirašytas prieš dešimt metų.", "lt", {"FRA"}),  # -ius: genitive -iaus
    ("Delegacija lankėsi Paragvajuje ir Urugvajaus sostinėje.", "lt", {"PRY", "URY"}),  # same rule
    ("სუდანელმა დიპლომატმა განაცხადა.", "ka", {"SDN"}),
    ("სუდანელ ლტოლვილებს დახმარება სჭირდებათ.", "ka", {"SDN"}),
    ("შვედურმა კომპანიამ ხელშეკრულება გააფორმა.", "ka", {"SWE"}),
    ("Latvija nosūtīja palīdzību Filipīnām.", "lv", {"LVA", "PHL"}),  # plural -as names: -ām
    ("Delegācija no Atēnām ieradās.", "lv", {"GRC"}),
    ("Ministrs apmeklēja Berlīni un Parīzi.", "lv", {"DEU", "FRA"}),  # -e nouns: accusative -i
    ("Arabiemiirikuntien ulkoministeri vieraili Tšekin pääkaupungissa.", "fi", {"ARE", "CZE"}),
    ("Uudessa-Seelannissa äänestettiin.", "fi", {"NZL"}),  # agreeing Uusi- and gradation nt -> nn
    (
        "Kreikan, Marokon ja Etelä-Afrikan edustajat saapuivat Papua-Uuteen-Guineaan.",
        "fi",
        {"GRC", "MAR", "ZAF", "PNG"},
    ),
    ("Velvyslanec Spojených arabských emirátů přijel do Prahy.", "cs", {"ARE", "CZE"}),
    ("Sastao se sa južnokorejskim ministrom.", "sr", {"KOR"}),
    ("Састао се са јужнокорејским министром.", "sr", {"KOR"}),
    ("सियोल ने बयान जारी किया।", "hi", {"KOR"}),
    ("ኮንጎ ስምምነት ፈረመች።", "am", {"COD"}),  # the bare name is the DRC, as in the other languages
    ("ኮንጎ ብራዛቪል ስምምነት ፈረመች።", "am", {"COG"}),
    ("ขอบคุณญี่ปุ่นที่ช่วยเหลือ", "th", {"JPN"}),  # ขอบคุณ "thank" ends in the title คุณ
    ("นายกรัฐมนตรีขอบคุณจีนและญี่ปุ่น", "th", {"CHN", "JPN"}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), _REPORTED)
def test_reported_forms_found(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected
    assert _codes(text) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Latinalaisen Amerikan ja Keski-Amerikan maat", "fi"),  # regions: the weak grade of Amerikka
        ("Vientiä Latinalaiseen Amerikkaan ja Latinalaisesta Amerikasta", "fi"),
        ("Vini e formaggi premiati a Verona.", "it"),  # wines, not Latvian Vīni (Vienna)
    ],
)
def test_reported_forms_add_no_false_friends(text: str, lang: str) -> None:
    assert _codes(text, lang) == set()


def test_thai_title_still_hides_a_person_named_like_a_country() -> None:
    assert _codes("คุณจอร์แดนเดินทางมาถึง", "th") == set()  # Khun Jordan
    assert _codes("ขอบคุณจอร์แดนที่ช่วยเหลือ", "th") == {"JOR"}  # thank Jordan


def test_indonesian_and_malay_kini_is_not_china() -> None:
    # Lithuanian kinas (a Chinese) took the -is accusative -į, normalised to "kini" ("now")
    assert _codes("Harga minyak kini naik tajam.", "id") == _codes("Harga minyak kini naik tajam.") == set()
    # capitalised, it is also Croatian/Serbian "(u) Kini" (in China): a blocker of the hinted language
    assert _codes("Kini kerajaan menaikkan cukai.", "ms") == set()
    assert _codes("Kini pemerintah menaikkan pajak.", "id") == set()
    assert _codes("Sastanak u Kini je završio.", "hr") == {"CHN"}
    assert _codes("Kinai ir kinų delegacija atvyko.", "lt") == {"CHN"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Fin des négociations entre la Russie et l'Ukraine.", "fr"),
        ("Fin des négociations entre la Russie et l'Ukraine.", None),  # identified as French
        ("Fin de las negociaciones entre Rusia y Ucrania.", "es"),
        ("Fine delle trattative tra Russia e Ucraina.", "it"),
        ("Fin whales were seen near Russia and Ukraine.", "en"),
    ],
)
def test_fin_the_end_is_not_finland(text: str, lang: str | None) -> None:
    # Turkish/Dutch "Fin" (a Finn, Finnish) read "Fin"/"Fine" (the end) as Finland in a headline
    assert _codes(text, lang) == {"RUS", "UKR"}


def test_a_finn_is_still_found_where_fin_means_one() -> None:
    assert _codes("Fin hükümeti Rusya ile görüştü.", "tr") == {"FIN", "RUS"}
    assert _codes("De Fin sprak met Rusland.", "nl") == _codes("De Fin sprak met Rusland.") == {"FIN", "RUS"}


@pytest.mark.parametrize("lang", [None, "en", "pl", "cs", "hr"])
def test_the_surname_harari_is_not_zimbabwe(lang: str | None) -> None:
    # Harare's Slavic/Baltic rows cut its final -e like a native noun's, which made "Harari" a form of it
    assert _codes("Yuval Noah Harari said Israel must act.", lang) == {"ISR"}
    assert _codes("The delegation flew on to Harare.", lang) == {"ZWE"}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Polish feminine -a nouns whose locative changes the stem's last consonant
        ("Rozmowy odbyły się w Kanadzie, na Malcie i na Jamajce.", "pl", {"CAN", "MLT", "JAM"}),
        ("Szczyt w Pradze i spotkanie w Kopenhadze.", "pl", {"CZE", "DNK"}),
        ("Wybory w Czarnogórze obserwowano w Ankarze i w Canberze.", "pl", {"MNE", "TUR", "AUS"}),
        ("Ambasadorowie w Dżakarcie i w Kostaryce.", "pl", {"IDN", "CRI"}),
        # Ukrainian feminine -а nouns likewise (Russian keeps the consonant: в Мексике, в Праге)
        ("Переговори в Мексиці, у Празі та в Ризі; посол в Америці.", "uk", {"MEX", "CZE", "LVA", "USA"}),
        ("Вибори в Коста-Риці.", "uk", {"CRI"}),
        ("Встреча в Мексике и в Праге.", "ru", {"MEX", "CZE"}),
        ("Jednání v Kostarice skončilo.", "cs", {"CRI"}),
        # the genitive plural of a plural name is its bare stem, as in Polish "do Chin"
        ("Эсминцы направились к побережью Филиппин, а туристы вернулись с Мальдив.", "ru", {"PHL", "MDV"}),
        ("Кораблі підійшли до узбережжя Філіппін.", "uk", {"PHL"}),
        ("Делегация прилетела из Афин.", "ru", {"GRC"}),
        # adjectives and a short name found missing while writing training sentences
        ("Zatrzymano tajskich rybaków.", "pl", {"THA"}),
        ("Човен під мальтійським прапором підібрав гаїтянських мігрантів.", "uk", {"MLT", "HTI"}),
        ("La Centrafrique a fermé sa frontière.", "fr", {"CAF"}),
        ("Riiassa pidettiin kokous.", "fi", {"LVA"}),
        # capitals, abbreviations and adjectives written while making data/checks/plover_events.jsonl
        ("Delegacja przybyła do Pretorii; RPA poparła plan botswańskiego rządu.", "pl", {"ZAF", "BWA"}),
        ("Mozambickie i tanzańskie władze podpisały umowę.", "pl", {"MOZ", "TZA"}),
        ("Pionyang amenazó a Seúl; Abuya guardó silencio.", "es", {"PRK", "KOR", "NGA"}),
        ("Pretorya'ya bir heyet gönderildi.", "tr", {"ZAF"}),
        ("米海軍と米財務省が発表した。", "ja", {"USA"}),
        ("मेक्सिको ने बयान जारी किया।", "hi", {"MEX"}),
    ],
)
def test_forms_found_while_writing_the_plover_check(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Cena ryżu (お米) wzrosła.", "pl"),
        ("お米の価格が上がった。", "ja"),
        ("Arabia Saudyjsce nie jest słowem.", "pl"),  # the adjective ending a name takes no noun locative
        ("Spotkanie w sprawie dostaw trwało do wieczora.", "pl"),
        # a Russian or Ukrainian short form keeps its bare stem out: "штат" is one US state, "эмират" one emirate
        ("Штат Техас подал иск против компании.", "ru"),
        ("Штат Техас подав позов.", "uk"),
        ("Эмират Дубай открыл новый терминал.", "ru"),
        ("Ο Σύρος είναι νησί των Κυκλάδων.", "el"),  # the island, not a Syrian
        ("Jar je bio dubok.", "hr"),
        ("از شهروندان خواست فوراً شهر را ترک کنند.", "fa"),  # ترک کردن, to leave
        ("Gaasi hind tõusis enne talve.", "et"),  # hind, Uzbek "Indian", is Estonian "price"
        ("就埃塞奎博地区争端互相指责。", "zh"),  # 埃塞 (Ethiopia) inside 埃塞奎博 (Essequibo): not added
        ("Yılbaşı öncesinde hindi fiyatları arttı.", "tr"),  # and Turkish "turkey"
    ],
)
def test_the_new_forms_add_no_false_friends(text: str, lang: str) -> None:
    assert _codes(text, lang) == set()


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # case paradigms of much-named states (2026-12-06): a form per gap that was filled
        ("Україна передала Іранові та Ізраїлеві ноти; Китаєві також.", "uk", {"UKR", "IRN", "ISR", "CHN"}),
        ("Переговори із Сполученим Королівством і малійська делегація в Ріяді.", "uk", {"GBR", "MLI", "SAU"}),
        ("Минск сотрудничает с Беларусью? Делегация прибыла в Рияд.", "ru", {"BLR", "SAU"}),
        (
            "Rozmowy w Phenianie i w Damaszku, z Zjednoczonym Królestwem i w Emiratach.",
            "pl",
            {"PRK", "SYR", "GBR", "ARE"},
        ),
        ("Armeńskiego ministra przyjęto w Republice Południowej Afryki.", "pl", {"ARM", "ZAF"}),
        (
            "Řecké a saúdské lodě, moldavská vláda a emirátský fond; KLDR a JAR.",
            "cs",
            {"GRC", "SAU", "MDA", "ARE", "PRK", "ZAF"},
        ),
        ("Ministr Jižní Koreje navštívil ČLR a Emiráty.", "cs", {"KOR", "CHN", "ARE"}),
        (
            "Španielska a juhokórejská vláda, saudský princ; rokovania so Spojenými štátmi.",
            "sk",
            {"ESP", "KOR", "SAU", "USA"},
        ),
        ("Veľvyslanec Spojených arabských emirátov a KĽDR.", "sk", {"ARE", "PRK"}),
        (
            "Rusların ve Almanlardan, Suriyelilerin ve Filipinlilere yardım.",
            "tr",
            {"RUS", "DEU", "SYR", "PHL"},
        ),
        (
            "Moldavska vlada i emiratski fond; sastanak u Tbilisiju i u Bakuu, JAR.",
            "hr",
            {"MDA", "ARE", "GEO", "AZE", "ZAF"},
        ),
        ("Британија и Емирати; делегација у Токију и у Њу Делхију.", "sr", {"GBR", "ARE", "JPN", "IND"}),
        ("Sirski in filipinski begunci, veleposlanik ZAE v Bakuju.", "sl", {"SYR", "PHL", "ARE", "AZE"}),
        ("Афганските и молдовските власти, посолството в Ню Делхи.", "bg", {"AFG", "MDA", "IND"}),
        (
            "Sakartvelo ir Jungtinės Karalystės ministrai, japonų ir italų kariai Tokijuje.",
            "lt",
            {"GEO", "GBR", "JPN", "ITA"},
        ),
        (
            "Lielbritānijas un Dienvidāfrikas vēstnieki, japāņu un spāņu karavīri.",
            "lv",
            {"GBR", "ZAF", "JPN", "ESP"},
        ),
        (
            "Οι Πολωνοί και οι Πακιστανοί, οι Σύροι πρόσφυγες στο Παρισιού.",
            "el",
            {"POL", "PAK", "SYR", "FRA"},
        ),
        (
            "Venäläisenä ja yhdysvaltalaiseksi, britit ja Filippiinien sekä Damaskoksessa.",
            "fi",
            {"RUS", "USA", "GBR", "PHL", "SYR"},
        ),
        (
            "Oroszokról és németeknek, orosszal és fehérorosz, Új-Delhiben.",
            "hu",
            {"RUS", "DEU", "BLR", "IND"},
        ),
        ("Venelastele ja prantslasest, Iraagis ja Lõuna-Aafrikas.", "et", {"RUS", "FRA", "IRQ", "ZAF"}),
        ("იაპონელებისთვის და რუსეთამდე, იტალიური გემი.", "ka", {"JPN", "RUS", "ITA"}),
        (
            "الحكومة الألمانية والروس والأتراك في المجر، كوري شمالي.",
            "ar",
            {"DEU", "RUS", "TUR", "HUN", "PRK"},
        ),
        ("הצפון-קוריאני בסודאן ובאמירויות.", "he", {"PRK", "SDN", "ARE"}),
        ("روس‌ها و مجارها در هندوستان.", "fa", {"RUS", "HUN", "IND"}),
        ("انڈیا اور اسپین میں جاپانیوں کی ملاقات۔", "ur", {"IND", "ESP", "JPN"}),
        ("AQShning va BAAning vakillari Dehlida.", "uz", {"USA", "ARE", "IND"}),
        ("Wit-Rusland en de Noord-Koreanen; Ruslands buurland.", "nl", {"BLR", "PRK", "RUS"}),
        ("白俄与俄方", "zh", {"BLR", "RUS"}),
        ("Die Moskauer Führung und das Vereinigte Königreich.", "de", {"RUS", "GBR"}),
        ("যুক্তরাষ্ট্রের সঙ্গে আমিরাতের বৈঠক।", "bn", {"USA", "ARE"}),
        ("Phenianul a respins declarația autorităților siriene.", "ro", {"PRK", "SYR"}),
        ("ԱՄԷ-ում և Ռիադում հանդիպեցին։", "hy", {"ARE", "SAU"}),
    ],
)
def test_case_paradigm_gaps_are_filled(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("orosszal", "RUS"),  # adjective, a digraph doubled (orosz)
        ("némettel", "DEU"),  # adjective, a consonant doubled
        ("Belarusszal", "BLR"),  # name ending in a digraph
        ("Párizzsal", "FRA"),
        ("Damaszkusszal", "SYR"),
        ("Izraellel", "ISR"),  # name ending in a consonant
        ("Oroszországgal", "RUS"),
        ("Irakkal", "IRQ"),
        ("Kínával", "CHN"),  # vowel-final: -val itself
        ("Uruguayjal", "URY"),  # a final y read as i
        ("Paraguayjal", "PRY"),
    ],
)
def test_hungarian_instrumental_assimilates_to_the_last_consonant(word: str, expected: str) -> None:
    assert {m.country for m in find_countries(f"A miniszter {word} tárgyalt.", lang="hu")} == {expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Берегова охорона затримала три сенегальські рибальські човни біля кордону.", {"SEN"}),
        ("Уряд заборонив імпорт камерунських бананів на пів року.", {"CMR"}),
        ("Нігерські та чадські війська провели спільні навчання.", {"NER", "TCD"}),
        (
            "Делегація ганського уряду прибула до Кигалі на переговори з руандійськими міністрами.",
            {"GHA", "RWA"},
        ),
    ],
)
def test_ukrainian_adjectives_of_african_states(text: str, expected: set[str]) -> None:
    """Their rows carry ``hint``: read where the text is Ukrainian by hint or by its ї, є or ґ."""
    assert {m.country for m in find_countries(text, lang="uk")} == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("وصل الوفد إلى مقديشو أمس.", "ar", {"SOM"}),
        ("في كوالالمبور عقدت المحادثات.", "ar", {"MYS"}),
        ("नियामे में दोनों देशों की बैठक हुई।", "hi", {"NER"}),
        ("काराकास ने इस फ़ैसले का विरोध किया।", "hi", {"VEN"}),
        ("क्विटो ने राजदूत को तलब किया।", "hi", {"ECU"}),
        ("アディスアベバで首脳会談が行われた。", "ja", {"ETH"}),
        ("Los pescadores fiyianos regresaron a casa.", "es", {"FJI"}),
    ],
)
def test_capital_spellings_met_while_writing_training_data(text: str, lang: str, expected: set[str]) -> None:
    assert {m.country for m in find_countries(text, lang=lang)} == expected
    assert {m.country for m in find_countries(text)} == expected  # identified without the hint
