"""A review's objective section links the Hub's published practices on the same objective and
country, so a reader sees what others did there."""

from __future__ import annotations

import pytest
from django.utils import timezone

from migration_hub.knowledge.choices import ResourceKind, ResourceStatus
from migration_hub.knowledge.models import Resource, ResourceTranslation
from migration_hub.reviews import selectors, services


def practice(organization, *, title, status, objective, country, kind=ResourceKind.PRACTICE):
    resource = Resource.objects.create(
        kind=kind,
        status=status,
        organization=organization,
        published_at=timezone.now() if status == ResourceStatus.PUBLISHED else None,
        peer_reviewed=status == ResourceStatus.PUBLISHED,
    )
    ResourceTranslation.objects.create(resource=resource, language="en", title=title)
    resource.objectives.add(objective)
    resource.countries.add(country)
    return resource


@pytest.mark.django_db
def test_published_practices_on_the_objective_and_country_are_linked(
    review, organization, objectives, countries
):
    shown = practice(
        organization,
        title="Kenya labour mobility pilot",
        status=ResourceStatus.PUBLISHED,
        objective=objectives[5],
        country=countries["KEN"],
    )
    practice(  # still in review: not linked
        organization,
        title="Draft practice",
        status=ResourceStatus.IN_REVIEW,
        objective=objectives[5],
        country=countries["KEN"],
    )
    practice(  # another country
        organization,
        title="Uganda practice",
        status=ResourceStatus.PUBLISHED,
        objective=objectives[5],
        country=countries["UGA"],
    )
    practice(  # a publication, not a practice
        organization,
        title="Kenya report",
        status=ResourceStatus.PUBLISHED,
        objective=objectives[5],
        country=countries["KEN"],
        kind=ResourceKind.PUBLICATION,
    )

    links = selectors.objective_links_for(review, [5, 6])

    assert links[5].practices == [shown]
    assert links[6].practices == []


@pytest.mark.django_db
def test_the_review_page_shows_the_practice_with_its_link(
    review, focal_point, organization, objectives, countries, client_for
):
    shown = practice(
        organization,
        title="Kenya <b>labour</b> mobility pilot",
        status=ResourceStatus.PUBLISHED,
        objective=objectives[5],
        country=countries["KEN"],
    )
    services.save_section(focal_point, review, "objective-5", expected_version=0, text="Work.")

    page = client_for(focal_point).get(review.get_absolute_url()).content.decode()

    assert "Practice in the Hub" in page
    assert shown.get_absolute_url() in page
    assert "Kenya &lt;b&gt;labour&lt;/b&gt; mobility pilot" in page
