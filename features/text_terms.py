"""Terms of free text for matching: words folded to one canonical term per concept, in English
and Korean, so that "tumour", "carcinoma" and "암" meet, and "antibody-drug conjugate" meets "ADC".

The groups are equivalents only (a word and its synonyms), never a broader class: "obesity" does
not become "metabolic", since the therapeutic-area group already scores areas.
"""

from __future__ import annotations

import re

__all__ = ["terms", "shown", "EQUIVALENTS"]

# canonical term -> the words and phrases that mean it (lower case)
EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "cancer": (
        "cancer",
        "cancers",
        "tumor",
        "tumors",
        "tumour",
        "tumours",
        "carcinoma",
        "neoplasm",
        "oncology",
        "oncologic",
        "암",
        "항암",
        "항암제",
        "종양",
        "고형암",
    ),
    "obesity": ("obesity", "obese", "overweight", "weight loss", "비만", "비만치료제"),
    "diabetes": ("diabetes", "diabetic", "t2d", "t2dm", "당뇨", "당뇨병"),
    "nash": ("nash", "mash", "steatohepatitis", "nafld", "masld", "fatty liver", "지방간", "지방간염"),
    "alzheimer": ("alzheimer", "alzheimers", "alzheimer's", "dementia", "알츠하이머", "치매"),
    "parkinson": ("parkinson", "parkinsons", "parkinson's", "파킨슨", "파킨슨병"),
    "glp1": ("glp-1", "glp1", "glucagon-like peptide-1", "glucagon-like peptide 1"),
    "adc": (
        "adc",
        "adcs",
        "antibody-drug conjugate",
        "antibody drug conjugate",
        "antibody-drug conjugates",
        "항체약물접합체",
    ),
    "cart": ("car-t", "car t", "cart", "chimeric antigen receptor"),
    "atopic": ("atopic dermatitis", "atopic", "eczema", "아토피", "아토피피부염"),
    "rheumatoid": ("rheumatoid arthritis", "rheumatoid", "류마티스", "류마티스관절염"),
    "psoriasis": ("psoriasis", "건선"),
    "hbv": ("hbv", "hepatitis b", "b형간염"),
    "covid": ("covid-19", "covid", "sars-cov-2", "coronavirus", "코로나", "코로나19"),
    "vaccine": ("vaccine", "vaccines", "백신"),
    "antibody": ("antibody", "antibodies", "mab", "항체"),
    "biosimilar": ("biosimilar", "biosimilars", "바이오시밀러"),
    "celltherapy": ("cell therapy", "cell therapies", "세포치료제", "세포치료"),
    "genetherapy": ("gene therapy", "gene therapies", "유전자치료제", "유전자치료"),
    "stroke": ("stroke", "뇌졸중"),
    "heartfailure": ("heart failure", "심부전"),
    "hypertension": ("hypertension", "고혈압"),
    "amd": ("amd", "macular degeneration", "wet amd", "황반변성"),
    "gastric": ("gastric", "stomach", "위암"),
    "ibd": ("ibd", "ulcerative colitis", "crohn", "crohn's", "inflammatory bowel disease", "크론병", "궤양성대장염"),
    "pain": ("pain", "analgesic", "analgesia", "통증", "진통제"),
    "sepsis": ("sepsis", "septic", "패혈증"),
    "osteoarthritis": ("osteoarthritis", "골관절염", "퇴행성관절염"),
    "alopecia": ("alopecia", "hair loss", "탈모"),
    "dryeye": ("dry eye", "dry eye disease", "안구건조증"),
    "sarcopenia": ("sarcopenia", "근감소증"),
    "nsclc": ("nsclc", "non-small cell lung cancer", "non-small-cell lung cancer", "비소세포폐암"),
    "lung": ("lung", "pulmonary", "폐", "폐암"),
    "breast": ("breast", "유방암"),
    "liver": ("liver", "hepatic", "간", "간암"),
    "kidney": ("kidney", "renal", "신장"),
    "egfr": ("egfr",),
    "her2": ("her2", "her-2"),
    "pd1": ("pd-1", "pd1", "pd-l1", "pdl1"),
    "oral": ("oral", "경구", "경구용"),
    "bispecific": ("bispecific", "bispecifics", "이중항체"),
    "mrna": ("mrna", "messenger rna"),
    "sirna": ("sirna", "rnai"),
    "degrader": ("degrader", "degraders", "protac", "protacs", "표적단백질분해"),
}

_STOP = frozenset(
    "a an and or of the for in on with to by as at from its it is are be this that into via than "
    "treatment treatments treating therapy therapies therapeutic therapeutics patients patient disease diseases "
    "drug drugs candidate candidates company companies develops developing development developer korea korean "
    "based new novel platform pipeline products product clinical trial trials phase global including such "
    "other others also first use used using which who has have had been more most one two three "
    # the words of a request rather than of a science: "looking for a partner for our asset"
    "asset assets looking look seeking seek seeks want wants need needs partner partners partnership "
    "partnerships deal deals rights program programs programme programmes portfolio our we us your".split()
)

_PHRASES = sorted(
    ((phrase, canon) for canon, words in EQUIVALENTS.items() for phrase in words if " " in phrase or "-" in phrase),
    key=lambda pc: -len(pc[0]),
)
_PHRASE_RE = re.compile("|".join(re.escape(p) for p, _ in _PHRASES)) if _PHRASES else None
_PHRASE_OF = dict(_PHRASES)
_WORD_OF = {w: canon for canon, words in EQUIVALENTS.items() for w in words if " " not in w and "-" not in w}
_TOKEN = re.compile(r"[a-z0-9]+|[가-힣]+")


def _fold(word: str) -> str:
    if word in _WORD_OF:
        return _WORD_OF[word]
    # plural s of longer words ("inhibitors" -> "inhibitor"), not "sepsis" or "virus"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        singular = word[:-1]
        return _WORD_OF.get(singular, singular)
    return word


def terms(text: str | None) -> list[str]:
    """The canonical terms of ``text``, in order, stop words and single characters dropped.
    Module-level (not a lambda) so that a fitted vectoriser using it pickles."""
    if not text:
        return []
    low = text.lower()
    out: list[str] = []
    if _PHRASE_RE is not None:
        out.extend(_PHRASE_OF[m.group(0)] for m in _PHRASE_RE.finditer(low))
        low = _PHRASE_RE.sub(" ", low)
    for word in _TOKEN.findall(low):
        if word in _STOP or word.isdigit() or (len(word) < 2 and word not in _WORD_OF):
            continue
        out.append(_fold(word))
    return out


_SHOWN = {
    "glp1": "GLP-1",
    "adc": "ADC",
    "cart": "CAR-T",
    "nash": "NASH/MASH",
    "hbv": "hepatitis B",
    "pd1": "PD-1/PD-L1",
    "her2": "HER2",
    "egfr": "EGFR",
    "amd": "macular degeneration",
    "ibd": "IBD",
    "nsclc": "NSCLC",
    "mrna": "mRNA",
    "sirna": "siRNA",
    "celltherapy": "cell therapy",
    "genetherapy": "gene therapy",
    "heartfailure": "heart failure",
    "dryeye": "dry eye",
    "covid": "COVID-19",
    "atopic": "atopic dermatitis",
    "rheumatoid": "rheumatoid arthritis",
}


def shown(term: str) -> str:
    """A canonical term as a reader writes it."""
    return _SHOWN.get(term, term)
