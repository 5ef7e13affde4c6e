"""The states covered: the 193 UN members, the two observers (VAT, PSE), Kosovo and Taiwan,
plus five territories with their own ISO 3166-1 alpha-3 code whose status is itself the news
and that annotators key as countries (``TERRITORIES``: Greenland, Western Sahara, Gibraltar,
the Falklands, Puerto Rico).

``ALPHA2_TO_ALPHA3`` maps the CLDR territory code (alpha-2; ``XK`` for Kosovo) to the
ISO 3166-1 alpha-3 code the API returns (``XKX`` for Kosovo). Other dependent
territories, Hong Kong and Macau are deliberately absent (see ``__init__``).
"""

from __future__ import annotations

_PAIRS = ["AF", "AFG", "AL", "ALB", "DZ", "DZA", "AD", "AND", "AO", "AGO", "AG", "ATG", "AR", "ARG", "AM", "ARM", "AU", "AUS", "AT", "AUT", "AZ", "AZE", "BS", "BHS", "BH", "BHR", "BD", "BGD", "BB", "BRB", "BY", "BLR", "BE", "BEL", "BZ", "BLZ", "BJ", "BEN", "BT", "BTN", "BO", "BOL", "BA", "BIH", "BW", "BWA", "BR", "BRA", "BN", "BRN", "BG", "BGR", "BF", "BFA", "BI", "BDI", "CV", "CPV", "KH", "KHM", "CM", "CMR", "CA", "CAN", "CF", "CAF", "TD", "TCD", "CL", "CHL", "CN", "CHN", "CO", "COL", "KM", "COM", "CG", "COG", "CD", "COD", "CR", "CRI", "CI", "CIV", "HR", "HRV", "CU", "CUB", "CY", "CYP", "CZ", "CZE", "DK", "DNK", "DJ", "DJI", "DM", "DMA", "DO", "DOM", "EC", "ECU", "EG", "EGY", "SV", "SLV", "GQ", "GNQ", "ER", "ERI", "EE", "EST", "SZ", "SWZ", "ET", "ETH", "FJ", "FJI", "FI", "FIN", "FR", "FRA", "GA", "GAB", "GM", "GMB", "GE", "GEO", "DE", "DEU", "GH", "GHA", "GR", "GRC", "GD", "GRD", "GT", "GTM", "GN", "GIN", "GW", "GNB", "GY", "GUY", "HT", "HTI", "HN", "HND", "HU", "HUN", "IS", "ISL", "IN", "IND", "ID", "IDN", "IR", "IRN", "IQ", "IRQ", "IE", "IRL", "IL", "ISR", "IT", "ITA", "JM", "JAM", "JP", "JPN", "JO", "JOR", "KZ", "KAZ", "KE", "KEN", "KI", "KIR", "KP", "PRK", "KR", "KOR", "KW", "KWT", "KG", "KGZ", "LA", "LAO", "LV", "LVA", "LB", "LBN", "LS", "LSO", "LR", "LBR", "LY", "LBY", "LI", "LIE", "LT", "LTU", "LU", "LUX", "MG", "MDG", "MW", "MWI", "MY", "MYS", "MV", "MDV", "ML", "MLI", "MT", "MLT", "MH", "MHL", "MR", "MRT", "MU", "MUS", "MX", "MEX", "FM", "FSM", "MD", "MDA", "MC", "MCO", "MN", "MNG", "ME", "MNE", "MA", "MAR", "MZ", "MOZ", "MM", "MMR", "NA", "NAM", "NR", "NRU", "NP", "NPL", "NL", "NLD", "NZ", "NZL", "NI", "NIC", "NE", "NER", "NG", "NGA", "MK", "MKD", "NO", "NOR", "OM", "OMN", "PK", "PAK", "PW", "PLW", "PA", "PAN", "PG", "PNG", "PY", "PRY", "PE", "PER", "PH", "PHL", "PL", "POL", "PT", "PRT", "QA", "QAT", "RO", "ROU", "RU", "RUS", "RW", "RWA", "KN", "KNA", "LC", "LCA", "VC", "VCT", "WS", "WSM", "SM", "SMR", "ST", "STP", "SA", "SAU", "SN", "SEN", "RS", "SRB", "SC", "SYC", "SL", "SLE", "SG", "SGP", "SK", "SVK", "SI", "SVN", "SB", "SLB", "SO", "SOM", "ZA", "ZAF", "SS", "SSD", "ES", "ESP", "LK", "LKA", "SD", "SDN", "SR", "SUR", "SE", "SWE", "CH", "CHE", "SY", "SYR", "TJ", "TJK", "TZ", "TZA", "TH", "THA", "TL", "TLS", "TG", "TGO", "TO", "TON", "TT", "TTO", "TN", "TUN", "TR", "TUR", "TM", "TKM", "TV", "TUV", "UG", "UGA", "UA", "UKR", "AE", "ARE", "GB", "GBR", "US", "USA", "UY", "URY", "UZ", "UZB", "VU", "VUT", "VE", "VEN", "VN", "VNM", "YE", "YEM", "ZM", "ZMB", "ZW", "ZWE", "VA", "VAT", "PS", "PSE", "XK", "XKX", "TW", "TWN"]
_TERRITORY_PAIRS = ["GL", "GRL", "EH", "ESH", "GI", "GIB", "FK", "FLK", "PR", "PRI"]

LANGS: tuple[str, ...] = (
    "en", "ru", "uk", "de", "fr", "es", "pt", "it", "nl", "pl",
    "tr", "ar", "fa", "he", "zh", "ja", "ko", "hi", "id", "sv",
)
STATES_A2: dict[str, str] = dict(zip(_PAIRS[0::2], _PAIRS[1::2], strict=True))
TERRITORIES_A2: dict[str, str] = dict(zip(_TERRITORY_PAIRS[0::2], _TERRITORY_PAIRS[1::2], strict=True))
ALPHA2_TO_ALPHA3: dict[str, str] = {**STATES_A2, **TERRITORIES_A2}
STATES: frozenset[str] = frozenset(STATES_A2.values())
TERRITORIES: frozenset[str] = frozenset(TERRITORIES_A2.values())
COUNTRIES: frozenset[str] = STATES | TERRITORIES

if len(STATES) != 197 or len(COUNTRIES) != 202:  # 193 members + VAT + PSE + XKX + TWN; + 5 territories
    raise RuntimeError(f"expected 197 states and 5 territories, found {len(STATES)} and {len(TERRITORIES)}")
