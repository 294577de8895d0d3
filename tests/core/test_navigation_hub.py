"""The Migration Network Hub is public: its sections are in everyone's main menu."""

from django.urls import reverse


def test_the_main_menu_opens_every_hub_section_to_everyone(client, db):
    page = client.get(reverse("core:home")).content.decode()
    for name in ("resource_list", "expert_list", "space_list", "demand_list", "search"):
        assert f'href="{reverse(f"knowledge:{name}")}"' in page
    hub = client.get(reverse("knowledge:resource_list")).content.decode()
    assert f'href="{reverse("knowledge:resource_list")}" aria-current="page"' in hub
