"""The health certificate as a PDF (WeasyPrint, nothing fetched: `core.pdf`).

It shows the person, the panel site and physician, the protocol and the version applied, each
required item with its result, the TB class and decision, and the validity with its rule. The
PDF is drawn from the stored record at each download, so it always matches the record; the
download itself is audited by the view.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from migration_hub.core.pdf import url_fetcher, weasyprint_html

from .choices import Destination, Sex
from .models import Assessment, Certificate
from .workflow import allowed_items, item_label, results_by_item

CONTENT_TYPE = "application/pdf"


def context(assessment: Assessment, certificate: Certificate) -> dict[str, Any]:
    results = results_by_item(assessment)
    requirements = assessment.requirements or {}
    reasons = {
        entry["item"]: entry
        for entry in [*requirements.get("conditional", []), *requirements.get("required", [])]
    }
    rows = [
        {
            "label": item_label(code),
            "reason": reasons.get(code, {}).get("reason", ""),
            "result": results[code],
        }
        for code in allowed_items(assessment)
        if code in results
    ]
    validity = certificate.validity or {}
    return {
        "assessment": assessment,
        "certificate": certificate,
        "protocol": assessment.protocol_version,
        "rows": rows,
        "sex": Sex(assessment.sex).label if assessment.sex in Sex.values else assessment.sex,
        "destination": Destination(assessment.destination).label,
        "validity": validity,
        "counted_from_xray": validity.get("counted_from") == "chest_xray",
        "language": get_language() or "en",
        "direction": "rtl" if get_language_bidi() else "ltr",
    }


def to_html(assessment: Assessment, certificate: Certificate) -> str:
    return render_to_string("health/assessments/certificate.html", context(assessment, certificate))


def to_pdf(assessment: Assessment, certificate: Certificate) -> bytes:
    """The certificate as PDF bytes; PdfUnavailable when WeasyPrint cannot load Pango."""
    html_class = weasyprint_html(_("The certificate's details are on the assessment's page."))
    document = html_class(string=to_html(assessment, certificate), url_fetcher=url_fetcher())
    return document.write_pdf()


def filename(certificate: Certificate) -> str:
    """An ASCII file name without personal data: health-certificate-KE-2025-000012.pdf."""
    return f"health-certificate-{certificate.number}.pdf"
