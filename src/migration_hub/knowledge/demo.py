"""Sample Hub content for `migration-hub demo`.

About thirty resources of every kind in the six UN languages, most published after two peer
reviews (one after a revision), others at each step of the workflow (a draft, submissions
waiting for screening, one in review with a reviewer still to answer, one sent back for
revision, one rejected); an open and a closed call for practices; eight experts, two of whom
opted out; an open discussion space with numbered questions, threads, replies, a report and a
hidden post, and a closed one; five demands of the Connection Hub, one at each status, with
offers, and the completed one's outcome written up as a practice.

Everything is written through the Hub's services, so versions, the audit trail, e-mails (not
sent: the demo swaps in a mail backend that drops them) and the search index are what real use
would make. Every record is marked `is_sample` and its title starts with "[Sample]": the
titles, names and texts are invented. The demo uses the demo accounts (accounts/demo.py: the
secretariat's `demo-editor` runs peer review, `demo-ministry-editor` submits and asks for
support) and adds two reviewers from other organizations. A rerun creates nothing.
"""

# The sample texts are written in the six UN languages: Cyrillic letters and full-width
# punctuation are meant, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from migration_hub.accounts import services as account_services
from migration_hub.accounts.choices import OrganizationKind, Role
from migration_hub.accounts.demo import PASSWORDS_FILE, DemoAccount
from migration_hub.accounts.models import Organization, User
from migration_hub.core.models import Country, Region
from migration_hub.core.services import update_versioned
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .choices import Availability, Decision, Licence, Recommendation, ResourceKind
from .models import (
    CallForPractices,
    Demand,
    ExpertProfile,
    Resource,
    ReviewAssignment,
    Space,
)
from .services import connection, discussions, experts, peer_review, resources

SAMPLE = "[Sample]"
SECRETARIAT_CODE = "DEMO-SECRETARIAT"
MINISTRY_CODE = "DEMO-MINISTRY"
EDITOR = "demo-editor"  # the secretariat's editor: a Hub editor
SUBMITTERS = {"ministry": "demo-ministry-editor", "secretariat": "demo-contributor"}
# Two reviewers from organizations that submit nothing, so they may review everything.
REVIEWER_ORGANIZATIONS = [
    # code, name, acronym, kind, country, reviewer's user name, first and last name, language
    (
        "DEMO-INSTITUTE",
        "Demo Institute for Migration Research",
        "DIMR",
        OrganizationKind.RESEARCH,
        "SEN",
        "demo-reviewer-institute",
        ("Demo", "Reviewer (institute)"),
        "fr",
    ),
    (
        "DEMO-NGO",
        "Demo Migrant Rights Network",
        "DMRN",
        OrganizationKind.NGO,
        "MEX",
        "demo-reviewer-ngo",
        ("Demo", "Reviewer (NGO)"),
        "es",
    ),
]
MAIL_DROPPED = "django.core.mail.backends.dummy.EmailBackend"
OPEN_SPACE = "sample-labour-mobility-consultation"
CLOSED_SPACE = "sample-champion-countries-2024"


@dataclass(frozen=True)
class SampleResource:
    """One sample resource: its texts per language (title, summary), tags and the step of
    peer review it is left at."""

    kind: str
    language: str
    texts: dict[str, tuple[str, str]]
    objectives: tuple[int, ...] = ()
    principles: str = ""
    themes: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    year: int = 2023
    publishers: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    licence: str = Licence.CC_BY
    by: str = "ministry"
    state: str = "published"
    call: str = ""
    is_general: bool = False
    link: str = ""


P = ResourceKind
RESOURCES: list[SampleResource] = [
    # Practices --------------------------------------------------------------------------------
    SampleResource(
        P.PRACTICE,
        "en",
        {
            "en": (
                "Skills passport for returning construction workers",
                "A labour ministry and an employers' association issue a skills passport that "
                "records what workers learned abroad, so that training centres at home can "
                "certify it and employers can hire on it.",
            ),
            "fr": (
                "Passeport de compétences pour les travailleurs de la construction de retour",
                "Un ministère du travail et une association d'employeurs délivrent un passeport "
                "qui atteste les compétences acquises à l'étranger.",
            ),
        },
        objectives=(18, 21),
        principles="FIJ",
        themes=(1, 6),
        countries=("KEN",),
        year=2022,
        publishers=("ILO",),
        authors=("Wanjiru Kamau", "Peter Odhiambo"),
        state="published_after_revision",
    ),
    SampleResource(
        P.PRACTICE,
        "fr",
        {
            "fr": (
                "Guichets uniques pour les travailleurs migrants saisonniers",
                "Des guichets uniques dans trois régions agricoles informent les travailleurs "
                "saisonniers de leurs droits, enregistrent leurs contrats et les orientent vers "
                "les services de santé.",
            ),
            "en": (
                "One-stop shops for seasonal migrant workers",
                "One-stop shops in three farming regions tell seasonal workers about their "
                "rights, register their contracts and refer them to health services.",
            ),
        },
        objectives=(6, 15),
        principles="AJ",
        themes=(1, 2),
        countries=("SEN",),
        year=2023,
        call="closed",
    ),
    SampleResource(
        P.PRACTICE,
        "es",
        {
            "es": (
                "Mesas locales de integración en ciudades intermedias",
                "Alcaldías de ciudades intermedias reúnen cada mes a servicios públicos, "
                "organizaciones de personas migrantes y empleadores para resolver barreras de "
                "acceso a la escuela, la salud y el empleo.",
            ),
            "en": (
                "Local integration tables in secondary cities",
                "Mayors of secondary cities bring public services, migrants' organizations and "
                "employers together every month to remove barriers to school, health and work.",
            ),
        },
        objectives=(15, 16),
        principles="J",
        themes=(2,),
        countries=("COL",),
        year=2021,
        by="secretariat",
    ),
    SampleResource(
        P.PRACTICE,
        "ar",
        {
            "ar": (
                "برنامج الإرشاد القنصلي للعمال المهاجرين",
                "تقدم القنصليات جلسات إرشاد قبل السفر وبعد الوصول للعمال المهاجرين، مع خط "
                "هاتفي للمساعدة بلغتهم.",
            ),
            "en": (
                "Consular guidance programme for migrant workers",
                "Consulates run guidance sessions before departure and after arrival, with a "
                "helpline in the workers' own language.",
            ),
        },
        objectives=(14, 6),
        themes=(1,),
        countries=("JOR",),
        year=2022,
    ),
    SampleResource(
        P.PRACTICE,
        "en",
        {
            "en": (
                "Community-based alternatives to detention for families",
                "Families with children are placed with trained community hosts and case "
                "managers instead of detention; appearance rates at hearings stayed high.",
            ),
        },
        objectives=(13, 7),
        principles="FH",
        countries=("MEX",),
        year=2021,
        by="secretariat",
    ),
    SampleResource(
        P.PRACTICE,
        "ru",
        {
            "ru": (
                "Цифровая регистрация трудовых мигрантов в центрах обслуживания",
                "Центры обслуживания регистрируют трудовые договоры мигрантов в электронном "
                "виде и выдают документы за один визит.",
            ),
            "en": (
                "Digital registration of migrant workers at service centres",
                "Service centres register migrant workers' contracts electronically and issue "
                "their documents in one visit.",
            ),
        },
        objectives=(4, 6),
        themes=(13,),
        countries=("UZB",),
        year=2023,
    ),
    SampleResource(
        P.PRACTICE,
        "en",
        {
            "en": (
                "Early warning and planned relocation for coastal communities",
                "Villages at risk of sea-level rise agreed relocation plans with the national "
                "disaster office, with land, livelihoods and graves moved together.",
            ),
        },
        objectives=(2, 5),
        themes=(5,),
        countries=("FJI",),
        regions=("009",),
        year=2024,
        state="in_review",
    ),
    SampleResource(
        P.PRACTICE,
        "en",
        {
            "en": (
                "Remittance price comparison portal run with mobile operators",
                "A central bank publishes the full cost of sending money home through each "
                "provider, updated every week from the operators' own data.",
            ),
        },
        objectives=(20,),
        themes=(3,),
        countries=("PHL",),
        year=2022,
        state="revision",
    ),
    SampleResource(
        P.PRACTICE,
        "es",
        {
            "es": (
                "Ventanilla de reconocimiento de títulos para personas migrantes",
                "Una ventanilla única revisa diplomas extranjeros en un plazo de treinta días "
                "y ofrece pruebas de competencias cuando faltan documentos.",
            ),
        },
        objectives=(18,),
        countries=("CHL",),
        year=2024,
        state="submitted",
        call="open",
    ),
    SampleResource(
        P.PRACTICE,
        "en",
        {
            "en": (
                "Fair recruitment pledge for domestic work agencies",
                "Agencies that place domestic workers sign a pledge to charge no fees to "
                "workers, checked by a joint labour inspection twice a year.",
            ),
        },
        objectives=(6,),
        principles="G",
        themes=(4,),
        countries=("LBN",),
        year=2023,
        call="closed",
        by="secretariat",
    ),
    # Publications -----------------------------------------------------------------------------
    SampleResource(
        P.PUBLICATION,
        "en",
        {
            "en": (
                "Migration and local labour markets: evidence from twelve secondary cities",
                "A comparative study of how newcomers find work in secondary cities, with the "
                "local policies that shortened the time to a first formal job.",
            ),
        },
        objectives=(1, 16),
        regions=("002",),
        year=2023,
        publishers=("IOM", "UN-DESA"),
        authors=("Chidi Okafor", "Laura Meyer"),
        by="secretariat",
    ),
    SampleResource(
        P.PUBLICATION,
        "fr",
        {
            "fr": (
                "Transferts de fonds et inclusion financière des femmes migrantes",
                "Une étude sur l'accès des femmes migrantes aux comptes bancaires et aux "
                "services de transfert, et sur les obstacles qui persistent.",
            ),
        },
        objectives=(20,),
        principles="G",
        regions=("002",),
        year=2022,
        publishers=("UN-WOMEN",),
        authors=("Aïssatou Ndiaye",),
    ),
    SampleResource(
        P.PUBLICATION,
        "zh-hans",
        {
            "zh-hans": (
                "亚洲劳务移民社会保障可携带性研究",
                "本研究比较了亚洲各国之间的社会保障协定，以及劳务移民在回国后领取养老金的情况。",
            ),
            "en": (
                "Portability of social protection for labour migrants in Asia",
                "A comparison of social security agreements between Asian countries and of how "
                "returning labour migrants draw their pensions.",
            ),
        },
        objectives=(22,),
        regions=("142",),
        year=2024,
        publishers=("ILO",),
        authors=("Li Wei",),
    ),
    SampleResource(
        P.PUBLICATION,
        "en",
        {
            "en": (
                "The GCM at five: a review of national implementation plans",
                "What forty national implementation plans of the Global Compact contain, how "
                "they were prepared and how their progress is measured.",
            ),
        },
        is_general=True,
        year=2024,
        publishers=("UN",),
        authors=("Sample Author",),
        by="secretariat",
    ),
    # Tools ------------------------------------------------------------------------------------
    SampleResource(
        P.TOOL,
        "en",
        {
            "en": (
                "Checklist for gender-responsive labour migration agreements",
                "Twenty questions to check a bilateral labour agreement for the rights and "
                "needs of women migrant workers, with examples of clauses.",
            ),
        },
        objectives=(6,),
        principles="G",
        themes=(1,),
        year=2022,
        publishers=("UN-WOMEN", "ILO"),
    ),
    SampleResource(
        P.TOOL,
        "es",
        {
            "es": (
                "Herramienta de autoevaluación para gobiernos locales sobre inclusión",
                "Un cuestionario para que los municipios evalúen sus servicios para personas "
                "migrantes y prioricen mejoras.",
            ),
        },
        objectives=(15, 16),
        themes=(2,),
        regions=("419",),
        year=2023,
        by="secretariat",
    ),
    SampleResource(
        P.TOOL,
        "en",
        {
            "en": (
                "Calculator for SDG indicator 10.7.2 on migration policies",
                "A spreadsheet that turns the answers of the inquiry on migration policies into "
                "the indicator's domains and overall score.",
            ),
        },
        objectives=(1, 23),
        year=2024,
        state="draft",
    ),
    # Guidance ---------------------------------------------------------------------------------
    SampleResource(
        P.GUIDANCE,
        "en",
        {
            "en": (
                "Guidance on firewalls between public services and immigration enforcement",
                "How health, education and labour services can keep migrants' data away from "
                "immigration enforcement, and why it matters for public health.",
            ),
        },
        objectives=(15,),
        principles="F",
        year=2022,
        publishers=("OHCHR",),
        by="secretariat",
    ),
    SampleResource(
        P.GUIDANCE,
        "ar",
        {
            "ar": (
                "إرشادات بشأن حماية الأطفال المهاجرين غير المصحوبين",
                "خطوات عملية لتحديد الأطفال غير المصحوبين وتعيين أوصياء لهم وإحالتهم إلى "
                "الخدمات المناسبة.",
            ),
            "en": (
                "Guidance on protecting unaccompanied migrant children",
                "Practical steps to identify unaccompanied children, appoint guardians and "
                "refer them to the right services.",
            ),
            "fr": (
                "Orientations pour la protection des enfants migrants non accompagnés",
                "Étapes pratiques pour identifier les enfants non accompagnés, leur désigner un "
                "tuteur et les orienter vers les services adaptés.",
            ),
        },
        objectives=(7, 13),
        principles="H",
        year=2023,
        publishers=("UNICEF",),
    ),
    SampleResource(
        P.GUIDANCE,
        "fr",
        {
            "fr": (
                "Lutter contre la traite dans les chaînes d'approvisionnement",
                "Des orientations pour les acheteurs publics qui veulent écarter le travail "
                "forcé de leurs fournisseurs.",
            ),
        },
        objectives=(10,),
        themes=(4,),
        year=2021,
        state="rejected",
    ),
    # Training ---------------------------------------------------------------------------------
    SampleResource(
        P.TRAINING,
        "en",
        {
            "en": (
                "E-learning course: migration data for policy makers",
                "Six modules on the sources of migration data, their limits and how to read "
                "them for policy, with exercises on real indicators.",
            ),
        },
        objectives=(1,),
        year=2023,
        publishers=("IOM", "UNITAR"),
        by="secretariat",
    ),
    SampleResource(
        P.TRAINING,
        "ru",
        {
            "ru": (
                "Учебный курс по консульской защите мигрантов",
                "Курс для сотрудников консульств о помощи мигрантам в трудной ситуации.",
            ),
        },
        objectives=(14,),
        regions=("143",),
        year=2022,
    ),
    SampleResource(
        P.TRAINING,
        "en",
        {
            "en": (
                "Training of trainers on human-rights-based border governance",
                "A five-day course for border officials' trainers, built on the recommended "
                "principles on human rights at international borders.",
            ),
        },
        objectives=(11,),
        principles="F",
        year=2024,
        state="submitted",
    ),
    # Datasets ---------------------------------------------------------------------------------
    SampleResource(
        P.DATASET,
        "en",
        {
            "en": (
                "Recruitment costs paid by migrant workers, 2015-2022",
                "Survey answers of migrant workers on the fees and costs they paid to find a "
                "job abroad, by corridor and sector (invented figures for the demo).",
            ),
        },
        objectives=(6,),
        year=2023,
        licence=Licence.CC_BY_IGO,
        publishers=("WORLD-BANK", "ILO"),
        by="secretariat",
    ),
    SampleResource(
        P.DATASET,
        "fr",
        {
            "fr": (
                "Retours volontaires assistés en Afrique de l'Ouest",
                "Nombre de retours volontaires assistés par pays d'origine et de départ, avec "
                "l'aide à la réintégration reçue.",
            ),
        },
        objectives=(21,),
        themes=(16,),
        regions=("011",),
        year=2022,
        licence=Licence.CC_BY_NC,
    ),
    SampleResource(
        P.DATASET,
        "en",
        {
            "en": (
                "Disaster displacement in the Pacific: household survey",
                "Household answers on displacement after cyclones, with intentions to return.",
            ),
        },
        objectives=(2,),
        themes=(5,),
        regions=("009",),
        year=2024,
        state="draft",
    ),
    # Policy and legislation -------------------------------------------------------------------
    SampleResource(
        P.POLICY,
        "es",
        {
            "es": (
                "Ley modelo sobre movilidad humana",
                "Un texto modelo que reúne la regularización, el acceso a servicios y la "
                "protección contra la discriminación.",
            ),
        },
        objectives=(5, 7, 17),
        regions=("419",),
        year=2021,
        licence=Licence.CC0,
    ),
    SampleResource(
        P.POLICY,
        "en",
        {
            "en": (
                "National labour migration policy: a model text",
                "A model policy with its action plan, monitoring framework and the roles of "
                "each ministry, social partners and recruitment agencies.",
            ),
        },
        objectives=(5, 6),
        themes=(1,),
        year=2020,
    ),
    # Events -----------------------------------------------------------------------------------
    SampleResource(
        P.EVENT,
        "en",
        {
            "en": (
                "Regional review in Africa: side event on labour mobility",
                "A side event of the regional review where states and workers' organizations "
                "present bilateral labour agreements and what came of them.",
            ),
        },
        objectives=(5, 6, 23),
        regions=("002",),
        year=2024,
        by="secretariat",
    ),
    SampleResource(
        P.EVENT,
        "fr",
        {
            "fr": (
                "Atelier régional sur les alternatives à la détention",
                "Deux jours d'échanges entre administrations et société civile sur les "
                "alternatives à la détention des migrants.",
            ),
        },
        objectives=(13,),
        year=2025,
        state="draft",
    ),
]

REVIEW_COMMENTS = [
    "Clear description of the problem and of what changed. The results are measured against a "
    "baseline; the costs of running the measure could be given in more detail.",
    "A practice others can copy: the steps, partners and budget are set out. Migrants' own "
    "views of the service would strengthen the evidence.",
    "Relevant to the objectives named. The gender analysis is thin; otherwise ready to publish.",
]

EXPERTS = [
    # user name, display name, headline, bio, registry organization, themes, objectives,
    # languages, regions, countries, availability, listed
    (
        "demo-expert-amina",
        "Amina Diallo",
        "Labour migration and fair recruitment",
        "Fifteen years on bilateral labour agreements and recruitment fees in West Africa and "
        "the Gulf.",
        "ILO",
        (1, 4),
        (6, 18),
        ("fr", "en", "wo"),
        ("002",),
        ("SEN", "QAT"),
        Availability.AVAILABLE,
        True,
    ),
    (
        "demo-expert-carlos",
        "Carlos Mendoza",
        "Local integration and migrant-inclusive cities",
        "Former city official; advises mayors on services for newcomers and social cohesion.",
        "UN-HABITAT",
        (2,),
        (15, 16),
        ("es", "en"),
        ("419",),
        ("COL", "PER"),
        Availability.LIMITED,
        True,
    ),
    (
        "demo-expert-lina",
        "Lina Haddad",
        "Migration data and statistics",
        "Statistician; builds migration data units in national statistics offices and trains "
        "staff on census and survey questions.",
        "UN-DESA",
        (),
        (1, 23),
        ("ar", "en", "fr"),
        ("145",),
        ("JOR", "LBN"),
        Availability.AVAILABLE,
        True,
    ),
    (
        "demo-expert-mei",
        "Mei Chen",
        "Remittances and financial inclusion",
        "Works with central banks and mobile operators on the cost of sending money home.",
        "WORLD-BANK",
        (3,),
        (20,),
        ("zh", "en"),
        ("142",),
        ("PHL",),
        Availability.AVAILABLE,
        True,
    ),
    (
        "demo-expert-olga",
        "Olga Ivanova",
        "Consular protection and diaspora engagement",
        "Trains consular staff and designs diaspora programmes in Central Asia.",
        "IOM",
        (1,),
        (14, 19),
        ("ru", "en"),
        ("143",),
        ("UZB", "KAZ"),
        Availability.UNAVAILABLE,
        True,
    ),
    (
        "demo-expert-tomasi",
        "Tomasi Vuniwaqa",
        "Climate mobility and planned relocation",
        "Supports Pacific governments on planned relocation guidelines and disaster "
        "displacement data.",
        "UNDP",
        (5, 7),
        (2, 5),
        ("en", "fj"),
        ("009",),
        ("FJI",),
        Availability.AVAILABLE,
        True,
    ),
    (
        "demo-expert-sara",
        "Sara Lindqvist",
        "Alternatives to detention",
        "Case management for families in migration procedures.",
        "UNHCR",
        (),
        (13,),
        ("en", "sv"),
        ("150",),
        ("SWE",),
        Availability.AVAILABLE,
        False,  # opted out: in no list, search or ranking
    ),
    (
        "demo-expert-youssef",
        "Youssef Benali",
        "Return and reintegration",
        "Reintegration programmes with returnees' communities.",
        "IOM",
        (6, 16),
        (21,),
        ("ar", "fr"),
        ("015",),
        ("MAR",),
        Availability.LIMITED,
        False,  # opted out
    ),
]

OFFERS = [
    # organization code, title, description, objectives, themes, countries, languages
    (
        SECRETARIAT_CODE,
        "Peer exchange on national GCM implementation plans",
        "The secretariat connects a government with two that adopted an implementation plan, "
        "for a week of exchanges and a review of the draft plan.",
        (23, 1),
        (),
        (),
        ("en", "fr", "es"),
    ),
    (
        "DEMO-INSTITUTE",
        "Technical assistance on migration statistics",
        "Our statisticians help a statistics office add migration questions to surveys and set "
        "up a migration data unit.",
        (1,),
        (),
        ("KEN", "SEN", "GHA"),
        ("en", "fr"),
    ),
    (
        "DEMO-NGO",
        "Training on fair recruitment for labour inspectors",
        "A three-day course for labour inspectors on recruitment fees, contract substitution "
        "and complaints by migrant workers.",
        (6,),
        (4,),
        (),
        ("es", "en"),
    ),
    (
        "DEMO-NGO",
        "Community hosts for alternatives to detention",
        "We train community hosts and case managers and share our case management tools.",
        (13,),
        (),
        (),
        ("es",),
    ),
    (
        SECRETARIAT_CODE,
        "Support to design skills partnerships",
        "Advice on skills partnerships between countries of origin and destination, with "
        "training that serves both labour markets.",
        (18, 5),
        (1,),
        (),
        ("en",),
    ),
]

DEMANDS = [
    # status, title, need, objectives, themes, country, language
    (
        "open",
        "Set up a migration data unit in the national statistics office",
        "We need help to add migration questions to the labour force survey and to set up a "
        "small unit that publishes migration statistics every year.",
        (1,),
        (),
        "KEN",
        "en",
    ),
    (
        "matched",
        "Review of our draft national GCM implementation plan",
        "A review of our draft implementation plan by countries that adopted one, before it "
        "goes to the cabinet.",
        (23,),
        (),
        "KEN",
        "en",
    ),
    (
        "in_progress",
        "Training labour inspectors on recruitment fees",
        "Our labour inspectors need training to detect recruitment fees charged to migrant "
        "workers and contract substitution.",
        (6,),
        (4,),
        "KEN",
        "en",
    ),
    (
        "completed",
        "Design a skills partnership with a country of destination",
        "Advice to design a skills partnership for nurses and care workers with a country of "
        "destination.",
        (18, 5),
        (1,),
        "KEN",
        "en",
    ),
    (
        "closed",
        "Alternatives to detention for families in border areas",
        "Support to pilot community-based alternatives to detention in two border towns.",
        (13,),
        (),
        "KEN",
        "en",
    ),
]

OPEN_SPACE_QUESTIONS = [
    "What has worked in your country to make labour migration safer and fairer since 2018?",
    "How do you involve workers' and employers' organizations in bilateral agreements?",
    "Which data do you lack to follow labour mobility, and who could provide them?",
]
OPEN_SPACE_THREADS = [
    # question number, author, title, body, replies [(author, body)]
    (
        1,
        "demo-ministry-editor",
        "Skills passports and recognition at home",
        "Our **skills passport** lets returning workers show what they learned abroad. Two "
        "training centres now certify it.\n\nHas anyone linked such a passport to the national "
        "qualifications framework?",
        [
            (
                "demo-contributor",
                "Yes: in our experience the link to the qualifications framework is what makes "
                "employers trust it. See the practice on skills passports in the repository.",
            ),
            (
                "demo-reviewer",
                "@demo-ministry-editor how do you keep the costs of certification low for workers?",
            ),
        ],
    ),
    (
        2,
        "demo-contributor",
        "Social partners at the negotiating table",
        "In the agreements we followed, unions joined the joint committees but rarely the "
        "negotiation itself. What is your experience?",
        [
            (
                "demo-ministry-editor",
                "We invited both unions and employers to the negotiation of our last "
                "agreement; it took longer, but the complaints mechanism they designed works.",
            ),
        ],
    ),
    (
        3,
        "demo-viewer",
        "Data on recruitment costs",
        "Which surveys collect **recruitment costs** paid by workers? We would like to report "
        "on SDG indicator 10.7.1.",
        [
            (
                "demo-contributor",
                "Labour force survey modules are one source; the sample dataset on "
                "recruitment costs in the repository shows the variables.",
            ),
            (
                "demo-reviewer",
                "<script>alert('x')</script> Buy cheap visas here!",  # hidden by a moderator
            ),
        ],
    ),
]
CLOSED_SPACE_QUESTIONS = [
    "What did your country commit to as a Champion of the Global Compact?",
    "What support would help you keep those commitments?",
]
CLOSED_SPACE_THREADS = [
    (
        1,
        "demo-ministry-editor",
        "Our commitments as a Champion country",
        "We committed to adopt an implementation plan and to report on it at the regional review.",
        [("demo-contributor", "Thank you for sharing: the plan's monitoring framework helps.")],
    ),
    (
        2,
        "demo-contributor",
        "Peer support between Champion countries",
        "The secretariat can connect Champion countries for peer exchanges; tell us which "
        "topics matter most.",
        [],
    ),
]


@dataclass
class DemoHubReport:
    """What one run of `load_demo` created."""

    resources: int = 0
    published: int = 0
    reviews: int = 0
    calls: int = 0
    experts: int = 0
    listed: int = 0
    spaces: int = 0
    threads: int = 0
    demands: int = 0
    offers: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)

    def __str__(self) -> str:
        if not (self.resources or self.experts or self.spaces or self.demands or self.calls):
            return "sample content already loaded"
        return (
            f"{self.resources} sample resources ({self.published} published after "
            f"{self.reviews} peer reviews), {self.calls} calls for practices, {self.experts} "
            f"sample experts ({self.listed} listed), {self.spaces} discussion spaces with "
            f"{self.threads} threads, {self.demands} demands and {self.offers} offers"
        )


@dataclass
class _Context:
    """The demo's people and reference rows, looked up once."""

    users: dict[str, User]
    organizations: dict[str, Organization]
    items: dict[str, FrameworkItem]
    countries: dict[str, Country]
    regions: dict[str, Region]
    publishers: dict[str, RegistryOrganization]
    today: Any
    now: Any

    @property
    def editor(self) -> User:
        return self.users[EDITOR]

    def objectives(self, numbers: tuple[int, ...]) -> list[FrameworkItem]:
        return [self.items[f"GCM-O{n}"] for n in numbers if f"GCM-O{n}" in self.items]

    def themes(self, numbers: tuple[int, ...]) -> list[FrameworkItem]:
        return [
            self.items[f"MIGOF-TA-{n:02d}"] for n in numbers if f"MIGOF-TA-{n:02d}" in self.items
        ]

    def principles(self, letters: str) -> list[FrameworkItem]:
        return [self.items[f"GCM-GP-{x}"] for x in letters if f"GCM-GP-{x}" in self.items]


# --- Accounts ------------------------------------------------------------------------------------


def _read_passwords(directory: Path | None) -> dict[str, str]:
    if directory is None:
        return {}
    path = Path(directory) / PASSWORDS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _write_passwords(directory: Path | None, passwords: dict[str, str]) -> None:
    if directory is None:
        return
    path = Path(directory) / PASSWORDS_FILE
    path.write_text(json.dumps(passwords, indent=1, sort_keys=True))
    path.chmod(0o600)


def _ensure_reviewers(directory: Path | None) -> list[DemoAccount]:
    """Two reviewers, each in an organization of their own; their passwords are kept with the
    other demo accounts' (in the data directory) so that a rerun prints the same."""
    passwords = _read_passwords(directory)
    accounts = []
    for code, name, acronym, kind, alpha3, username, (
        first,
        last,
    ), language in REVIEWER_ORGANIZATIONS:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            organization = account_services.create_organization(
                actor=None,
                code=code,
                name=name,
                acronym=acronym,
                kind=kind,
                country=Country.objects.filter(alpha3=alpha3).first(),
            )
        user = User.objects.filter(username=username).first()
        if user is None or (directory is not None and username not in passwords):
            password = secrets.token_urlsafe(12) if directory is not None else None
            if user is None:
                user = account_services.create_user(
                    actor=None,
                    username=username,
                    password=password,
                    email=f"{username}@example.org",
                    first_name=first,
                    last_name=last,
                    preferred_language=language,
                )
            elif password:
                user.set_password(password)
                user.save(update_fields=["password"])
            if password:
                passwords[username] = password
        account_services.grant_role(
            actor=None, user=user, organization=organization, role=Role.REVIEWER
        )
        if username in passwords:
            accounts.append(DemoAccount(username, passwords[username], Role.REVIEWER.value, name))
    _write_passwords(directory, passwords)
    return accounts


# --- Resources and peer review --------------------------------------------------------------------


def _review(ctx: _Context, resource: Resource, reviewer: User, index: int, rec: str) -> None:
    assignment = ReviewAssignment.objects.get(
        resource=resource, round=resource.review_round, reviewer=reviewer
    )
    scores = {
        criterion: 3 + (index + offset) % 3
        for offset, criterion in enumerate(
            [
                "relevance",
                "evidence",
                "human_rights",
                "gender",
                "child",
                "sustainability",
                "replicability",
            ]
        )
    }
    peer_review.submit_review(
        reviewer,
        assignment,
        scores=scores,
        comments=f"{SAMPLE} {REVIEW_COMMENTS[index % len(REVIEW_COMMENTS)]}",
        recommendation=rec,
    )


def _reviewers_for(ctx: _Context, sample: SampleResource) -> list[User]:
    """Two reviewers from organizations other than the submitter's."""
    if sample.by == "ministry":
        return [ctx.users["demo-reviewer"], ctx.users["demo-reviewer-institute"]]
    return [ctx.users["demo-reviewer-institute"], ctx.users["demo-reviewer-ngo"]]


def _round(ctx: _Context, resource: Resource, reviewers: list[User], index: int, rec: str) -> int:
    for reviewer in reviewers:
        peer_review.assign_reviewer(ctx.editor, resource, reviewer)
    resource.refresh_from_db()
    for offset, reviewer in enumerate(reviewers):
        _review(ctx, resource, reviewer, index + offset, rec)
    return len(reviewers)


def _through_review(
    ctx: _Context, resource: Resource, sample: SampleResource, index: int, report: DemoHubReport
) -> None:
    """Take a draft to the step `sample.state` names, as the people would."""
    state = sample.state
    if state == "draft":
        return
    author = ctx.users[SUBMITTERS[sample.by]]
    peer_review.submit(author, resource)
    if state == "submitted":
        return
    if state == "rejected":
        peer_review.screen(
            ctx.editor,
            resource,
            accept=False,
            reasons=f"{SAMPLE} The guidance is outside the scope of the Hub: it does not say how "
            "it relates to migrants or to the GCM's objectives.",
        )
        return
    peer_review.screen(ctx.editor, resource, accept=True)
    reviewers = _reviewers_for(ctx, sample)
    if state == "in_review":
        # One review in, the other still to do: demo-reviewer-institute's to-do list.
        peer_review.assign_reviewer(ctx.editor, resource, reviewers[1])
        peer_review.assign_reviewer(ctx.editor, resource, reviewers[0])
        resource.refresh_from_db()
        _review(ctx, resource, reviewers[0], index, Recommendation.PUBLISH)
        report.reviews += 1
        return
    if state in ("revision", "published_after_revision"):
        report.reviews += _round(ctx, resource, reviewers, index, Recommendation.REVISE)
        peer_review.decide(
            ctx.editor,
            resource,
            decision=Decision.REVISE,
            reasons=f"{SAMPLE} Both reviewers ask for the results in figures and for the "
            "costs of the measure. Please add them and resubmit.",
        )
        if state == "revision":
            return
        resource.refresh_from_db()
        summary = sample.texts[sample.language][1]
        translations = {
            language: {"title": f"{SAMPLE} {text[0]}", "summary": text[1]}
            for language, text in sample.texts.items()
        }
        translations[sample.language]["summary"] = (
            f"{summary} In the first two years, 4,200 workers received a passport and 1,100 "
            "had their skills certified."
        )
        resource = resources.update_resource(
            author,
            resource,
            expected_version=resource.version,
            note=f"{SAMPLE} Results in figures added, as the reviewers asked.",
            translations=translations,
        )
        peer_review.submit(author, resource)
    report.reviews += _round(ctx, resource, reviewers, index + 1, Recommendation.PUBLISH)
    peer_review.decide(
        ctx.editor,
        resource,
        decision=Decision.PUBLISH,
        reasons=f"{SAMPLE} Two reviewers recommend publication; it meets the Hub's criteria.",
    )
    report.published += 1


def _docx(title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A small Word file made on the spot (python-docx), so the demo ships no binary."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(
        "sample-gcm-at-five.docx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _ensure_calls(ctx: _Context, report: DemoHubReport) -> dict[str, CallForPractices]:
    secretariat = ctx.organizations[SECRETARIAT_CODE]
    wanted = {
        "open": (
            "Call for practices: migration data for local governments",
            "Practices of cities and regions that collect, share or use migration data to "
            "plan their services.",
            (1, 15),
            ctx.today - timedelta(days=30),
            ctx.today + timedelta(days=90),
        ),
        "closed": (
            "Call for practices: migrant domestic workers",
            "Practices that protect migrant domestic workers: fair recruitment, decent work, "
            "access to justice.",
            (6, 7),
            ctx.today - timedelta(days=240),
            # Opened long enough for practices to be sent; closed below, once they are in.
            ctx.today + timedelta(days=1),
        ),
    }
    calls = {}
    for key, (title, description, objectives, opens_on, deadline) in wanted.items():
        full_title = f"{SAMPLE} {title}"
        call = CallForPractices.objects.filter(title=full_title, is_sample=True).first()
        if call is None:
            call = peer_review.create_call(
                ctx.editor,
                organization=secretariat,
                title=full_title,
                description=description,
                objectives=ctx.objectives(objectives),
                opens_on=opens_on,
                deadline=deadline,
                is_sample=True,
            )
            report.calls += 1
        calls[key] = call
    return calls


def _close_call(ctx: _Context, call: CallForPractices) -> None:
    if call.deadline >= ctx.today:
        update_versioned(
            call,
            actor=ctx.editor,
            expected_version=call.version,
            changes={"deadline": ctx.today - timedelta(days=60)},
            organization_id=call.organization_id,
        )


def _ensure_resources(ctx: _Context, report: DemoHubReport) -> None:
    calls = _ensure_calls(ctx, report)
    demo_organizations = [ctx.organizations[SECRETARIAT_CODE], ctx.organizations[MINISTRY_CODE]]
    if Resource.objects.filter(is_sample=True, organization__in=demo_organizations).exists():
        _close_call(ctx, calls["closed"])
        return
    for index, sample in enumerate(RESOURCES):
        author = ctx.users[SUBMITTERS[sample.by]]
        organization = ctx.organizations[
            MINISTRY_CODE if sample.by == "ministry" else SECRETARIAT_CODE
        ]
        resource = resources.create_resource(
            author,
            organization=organization,
            kind=sample.kind,
            language=sample.language,
            translations={
                language: {"title": f"{SAMPLE} {title}", "summary": summary}
                for language, (title, summary) in sample.texts.items()
            },
            authors=sample.authors,
            publishers=[
                ctx.publishers[code] for code in sample.publishers if code in ctx.publishers
            ],
            countries=[ctx.countries[code] for code in sample.countries if code in ctx.countries],
            regions=[ctx.regions[code] for code in sample.regions if code in ctx.regions],
            objectives=ctx.objectives(sample.objectives),
            is_general=sample.is_general,
            principles=ctx.principles(sample.principles),
            themes=ctx.themes(sample.themes),
            year=sample.year,
            licence=sample.licence,
            link=sample.link,
            call=calls[sample.call] if sample.call else None,
            is_sample=True,
        )
        report.resources += 1
        if sample.is_general:
            resources.add_file(
                author,
                resource,
                _docx(
                    f"{SAMPLE} The GCM at five",
                    [
                        "This sample report reviews national implementation plans of the "
                        "Global Compact for Migration.",
                        "Most plans name a coordination body and a monitoring framework.",
                    ],
                ),
                language="en",
            )
        _through_review(ctx, resource, sample, index, report)
    _close_call(ctx, calls["closed"])
    # Freshness: one resource flagged as out of date, one checked today.
    published = list(
        Resource.objects.filter(
            is_sample=True, organization__in=demo_organizations, status="published"
        ).order_by("pk")
    )
    if published:
        resources.set_needs_update(ctx.editor, published[-1], True)
        resources.mark_checked(ctx.editor, published[0])


# --- Experts -------------------------------------------------------------------------------------


def _ensure_experts(ctx: _Context, report: DemoHubReport) -> None:
    for (
        username,
        name,
        headline,
        bio,
        organization,
        themes,
        objectives,
        languages,
        regions,
        countries,
        availability,
        listed,
    ) in EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _space, last = name.partition(" ")
            user = account_services.create_user(
                actor=None,
                username=username,
                password=None,  # experts of the demo do not sign in
                email=f"{username}@example.org",
                first_name=first,
                last_name=last,
            )
        if ExpertProfile.objects.filter(user=user).exists():
            continue
        experts.save_profile(
            None,
            user=user,
            is_sample=True,
            display_name=name,
            headline=f"{SAMPLE} {headline}",
            bio=bio,
            organization=ctx.publishers.get(organization),
            themes=ctx.themes(themes),
            objectives=ctx.objectives(objectives),
            languages=list(languages),
            regions=[ctx.regions[code] for code in regions if code in ctx.regions],
            countries=[ctx.countries[code] for code in countries if code in ctx.countries],
            availability=availability,
            opted_in=listed,
        )
        report.experts += 1
        report.listed += int(listed)


# --- Discussions ---------------------------------------------------------------------------------


def _threads(ctx: _Context, space: Space, threads: list, report: DemoHubReport) -> list:
    posts = []
    for number, author, title, body, replies in threads:
        thread = discussions.start_thread(
            ctx.users[author], space, title=f"{SAMPLE} {title}", body=body, question=number
        )
        report.threads += 1
        for replier, text in replies:
            posts.append(discussions.reply(ctx.users[replier], thread, body=text))
    return posts


def _ensure_spaces(ctx: _Context, report: DemoHubReport) -> None:
    theme = ctx.items.get("MIGOF-TA-01")
    if not Space.objects.filter(slug=OPEN_SPACE).exists():
        space = discussions.create_space(
            ctx.editor,
            title=f"{SAMPLE} Consultation on labour mobility for the regional reviews",
            slug=OPEN_SPACE,
            description="A moderated consultation: answer the numbered questions in threads. "
            "The moderators summarise the answers for the regional review.",
            theme=theme,
            opens_at=ctx.now - timedelta(days=14),
            closes_at=ctx.now + timedelta(days=60),
            moderators=[ctx.editor],
            questions=OPEN_SPACE_QUESTIONS,
            is_sample=True,
        )
        report.spaces += 1
        posts = _threads(ctx, space, OPEN_SPACE_THREADS, report)
        spam = posts[-1]
        discussions.report_post(ctx.users["demo-viewer"], spam, reason="Advertising.")
        discussions.hide_post(ctx.editor, spam, reason="Advertising, not part of the discussion.")
    if not Space.objects.filter(slug=CLOSED_SPACE).exists():
        space = discussions.create_space(
            ctx.editor,
            title=f"{SAMPLE} Champion countries' exchange 2024",
            slug=CLOSED_SPACE,
            description="A time-boxed exchange between Champion countries of the Global "
            "Compact. The space is closed: it can be read, not answered.",
            opens_at=ctx.now - timedelta(days=120),
            closes_at=ctx.now + timedelta(hours=1),
            moderators=[ctx.editor],
            questions=CLOSED_SPACE_QUESTIONS,
            is_sample=True,
        )
        report.spaces += 1
        _threads(ctx, space, CLOSED_SPACE_THREADS, report)
        update_versioned(
            space,
            actor=ctx.editor,
            expected_version=space.version,
            changes={"closes_at": ctx.now - timedelta(days=30)},
        )


# --- Connection Hub ------------------------------------------------------------------------------


def _ensure_connection(ctx: _Context, report: DemoHubReport) -> None:
    if Demand.objects.filter(is_sample=True, organization__code=MINISTRY_CODE).exists():
        return
    offers = []
    for code, title, description, objectives, themes, countries, languages in OFFERS:
        organization = ctx.organizations[code]
        actor = ctx.editor if code == SECRETARIAT_CODE else None
        offers.append(
            connection.post_offer(
                actor,
                organization=organization,
                title=f"{SAMPLE} {title}",
                description=description,
                objectives=ctx.objectives(objectives),
                themes=ctx.themes(themes),
                countries=[ctx.countries[c] for c in countries if c in ctx.countries],
                languages=list(languages),
                is_sample=True,
            )
        )
        report.offers += 1
    by_title = {offer.title: offer for offer in offers}
    asker = ctx.users["demo-ministry-editor"]
    for status, title, need, objectives, themes, country, language in DEMANDS:
        demand = connection.post_demand(
            asker,
            organization=ctx.organizations[MINISTRY_CODE],
            title=f"{SAMPLE} {title}",
            need=need,
            objectives=ctx.objectives(objectives),
            themes=ctx.themes(themes),
            country=ctx.countries[country],
            deadline=ctx.today + timedelta(days=120),
            language=language,
            is_sample=True,
        )
        report.demands += 1
        if status == "open":
            continue
        if status == "closed":
            connection.close_demand(
                asker,
                demand,
                reason=f"{SAMPLE} The pilot was postponed: the border towns' budget was cut.",
            )
            continue
        if status == "matched":
            offer = by_title[f"{SAMPLE} Peer exchange on national GCM implementation plans"]
            connection.match_demand(asker, demand, offer=offer)
            continue
        if status == "in_progress":
            offer = by_title[f"{SAMPLE} Training on fair recruitment for labour inspectors"]
            expert = experts.listed_experts().filter(user__username="demo-expert-amina").first()
            demand = connection.match_demand(asker, demand, offer=offer, expert=expert)
            connection.start_work(asker, demand)
            if expert is not None:
                experts.contact_expert(
                    asker,
                    expert,
                    subject=f"{SAMPLE} Training of labour inspectors",
                    body="Could you join the first session of the training as a speaker?",
                    demand=demand,
                )
            continue
        offer = by_title[f"{SAMPLE} Support to design skills partnerships"]
        demand = connection.match_demand(asker, demand, offer=offer)
        demand = connection.start_work(asker, demand)
        demand = connection.report_outcome(
            asker,
            demand,
            outcome=f"{SAMPLE} A skills partnership for nurses was agreed with one country of "
            "destination: 120 nurses trained in the first year, half of them for the home "
            "health system.",
        )
        connection.outcome_to_practice(asker, demand)  # a sample like the demand
        report.resources += 1


# --- Entry point ---------------------------------------------------------------------------------


def _context() -> _Context | None:
    usernames = [EDITOR, *SUBMITTERS.values(), "demo-reviewer", "demo-viewer"]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    organizations = {
        org.code: org
        for org in Organization.objects.filter(code__in=[SECRETARIAT_CODE, MINISTRY_CODE])
    }
    if (
        len(users) < len(set(usernames))
        or len(organizations) < 2
        or not FrameworkItem.objects.filter(code="GCM-O1").exists()
        or not Country.objects.exists()
    ):
        return None
    now = timezone.now()
    return _Context(
        users=users,
        organizations=organizations,
        items={
            item.code: item
            for item in FrameworkItem.objects.filter(
                kind__in=["objective", "guiding-principle", "thematic-area"]
            )
        },
        countries={country.alpha3: country for country in Country.objects.all()},
        regions={region.m49_code: region for region in Region.objects.all()},
        publishers={org.code: org for org in RegistryOrganization.objects.all()},
        today=timezone.localdate(),
        now=now,
    )


@contextmanager
def _no_mail() -> Iterator[None]:
    """The demo's e-mails are not sent (nor printed by the console backend)."""
    with override_settings(EMAIL_BACKEND=MAIL_DROPPED):
        yield


def load_demo(directory: Path | str | None = None) -> DemoHubReport | None:
    """Load the Hub's sample content (see the module's docstring); None when the demo accounts
    or the reference data (GCM frameworks, countries) are missing. `directory` keeps the demo
    reviewers' passwords with the other demo accounts' (`settings.DATA_DIR` by default)."""
    directory = Path(directory) if directory is not None else Path(settings.DATA_DIR)
    with _no_mail(), transaction.atomic():
        ctx = _context()
        if ctx is None:
            return None
        report = DemoHubReport()
        report.accounts = _ensure_reviewers(directory)
        for account in User.objects.filter(
            username__in=["demo-reviewer-institute", "demo-reviewer-ngo"]
        ):
            ctx.users[account.username] = account
        for organization in Organization.objects.filter(
            code__in=[code for code, *_rest in REVIEWER_ORGANIZATIONS]
        ):
            ctx.organizations[organization.code] = organization
        _ensure_experts(ctx, report)
        _ensure_resources(ctx, report)
        _ensure_spaces(ctx, report)
        _ensure_connection(ctx, report)
    return report
