"""The six UN languages: compiled catalogues that translate the interface, Arabic right to left."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = {"ar": "ar", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru", "es": "es"}


def catalogue(directory: str) -> dict:
    with (LOCALE / directory / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]


def test_settings_offer_the_six_un_languages() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["ar", "zh-hans", "en", "fr", "ru", "es"]


@pytest.mark.parametrize("directory", sorted(TRANSLATED.values()))
def test_each_catalogue_is_compiled_and_complete(directory: str) -> None:
    messages = {key: value for key, value in catalogue(directory).items() if key}
    assert len(messages) >= 200
    empty = [key for key, value in messages.items() if not value]
    assert not empty, empty[:5]


def test_catalogues_hold_the_same_messages() -> None:
    def msgid(key: str | tuple[str, int]) -> str:
        return key[0] if isinstance(key, tuple) else key  # plural keys carry the form index

    keys = {d: {msgid(k) for k in catalogue(d) if k} for d in TRANSLATED.values()}
    reference = keys["fr"]
    for directory, found in keys.items():
        assert found == reference, (directory, sorted(found ^ reference)[:5])


@pytest.mark.parametrize("code", sorted(TRANSLATED))
def test_interface_strings_are_translated(code: str) -> None:
    with translation.override(code):
        for text in ["Sign in", "Organizations", "Audit log", "Data protection officer"]:
            assert translation.gettext(text) != text, (code, text)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("zh-hans", "ltr"), ("ru", "ltr")])
def test_pages_carry_language_and_direction(client, code: str, direction: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    body = client.get("/").content.decode()
    assert f'<html lang="{code}" dir="{direction}">' in body
