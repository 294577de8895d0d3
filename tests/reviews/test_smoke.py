from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus


def test_a_complete_review_is_submitted_and_published(
    complete_review, focal_point, secretariat_editor
):
    review = services.submit_review(focal_point, complete_review)
    assert review.status == ReviewStatus.SUBMITTED
    review = services.publish_review(secretariat_editor, review)
    assert review.status == ReviewStatus.PUBLISHED
