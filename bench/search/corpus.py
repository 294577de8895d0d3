"""A deterministic, realistic corpus of Hub resources for the search benchmark.

Each resource has a kind, an original language (English about half of the time, then French,
Spanish, Arabic, Russian, Chinese), sometimes one or two more translations, a title and a
summary drawn from a migration-governance vocabulary of that language (Zipf-distributed, so a
few words are everywhere and most are rare), a few generated project and place names (the
long tail of a real vocabulary), 0-3 GCM objectives (or "general"), 0-3 guiding principles,
1-2 MIGOF thematic areas, 0-3 countries, sometimes a region, a year, a status (most
published) and a peer-review flag. The same seed gives the same corpus.

Chinese is written with spaces between words here: Migration Hub's normaliser splits words on
spaces and punctuation only (a known limit for Chinese text, see bench/README.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


def words(text: str) -> list[str]:
    return text.split()


WORDS = {
    "en": words(
        "migration migrants labour workers recruitment fair rights protection return "
        "reintegration remittances diaspora border management health access services data "
        "statistics integration social inclusion women children youth gender families "
        "climate displacement disaster resilience regular pathways visas skills training "
        "employment decent work trafficking smuggling detention alternatives consular "
        "assistance information campaigns policy national action plan review cooperation "
        "regional bilateral agreement partnership local government cities community "
        "evidence practice guide toolkit handbook report assessment survey evaluation "
        "monitoring indicators capacity building development financial inclusion costs "
        "transfer identity documents registration legal status residence permits family "
        "reunification education recognition qualifications language orientation housing "
        "xenophobia discrimination public perceptions media journalism human rights "
        "humanitarian emergency response search rescue missing deceased identification "
        "vulnerable situations screening referral mechanisms case management pilot "
        "programme project lessons learned sustainable whole society approach"
    ),
    "fr": words(
        "migration migrants travail travailleurs recrutement équitable droits protection "
        "retour réintégration transferts diaspora frontières gestion santé accès services "
        "données statistiques intégration inclusion sociale femmes enfants jeunes genre "
        "familles climat déplacement catastrophes résilience voies régulières visas "
        "compétences formation emploi décent traite trafic détention alternatives "
        "assistance consulaire information politique plan national coopération régionale "
        "accord bilatéral partenariat collectivités locales villes communauté pratique "
        "guide boîte outils rapport évaluation enquête suivi indicateurs renforcement "
        "capacités développement coûts identité documents enregistrement statut juridique "
        "résidence regroupement familial éducation reconnaissance qualifications logement "
        "xénophobie discrimination perceptions médias humanitaire urgence sauvetage"
    ),
    "es": words(
        "migración migrantes trabajo trabajadores contratación equitativa derechos "
        "protección retorno reintegración remesas diáspora fronteras gestión salud acceso "
        "servicios datos estadísticas integración inclusión social mujeres niños jóvenes "
        "género familias clima desplazamiento desastres resiliencia vías regulares visados "
        "competencias formación empleo decente trata tráfico detención alternativas "
        "asistencia consular información política plan nacional cooperación regional "
        "acuerdo bilateral alianza gobiernos locales ciudades comunidad práctica guía "
        "herramientas informe evaluación encuesta seguimiento indicadores capacidades "
        "desarrollo costos identidad documentos registro estatus jurídico residencia "
        "reunificación familiar educación reconocimiento vivienda xenofobia discriminación"
    ),
    "ar": words(
        "الهجرة المهاجرين العمل العمال التوظيف العادل الحقوق الحماية العودة الإدماج "
        "التحويلات المغتربين الحدود إدارة الصحة الخدمات البيانات الإحصاءات الاندماج "
        "النساء الأطفال الشباب الأسر المناخ النزوح الكوارث التأشيرات المهارات التدريب "
        "التوظيف الاتجار التهريب الاحتجاز المساعدة القنصلية المعلومات السياسات الخطة "
        "الوطنية التعاون الإقليمي الاتفاق الثنائي الشراكة المدن المجتمع الممارسة الدليل "
        "التقرير التقييم المسح الرصد المؤشرات القدرات التنمية الوثائق التسجيل الإقامة"
    ),
    "ru": words(
        "миграция мигранты труд работники наём права защита возвращение реинтеграция "
        "переводы диаспора границы управление здоровье доступ услуги данные статистика "
        "интеграция женщины дети молодёжь семьи климат перемещение бедствия визы навыки "
        "обучение занятость торговля людьми контрабанда задержание помощь консульская "
        "информация политика национальный план сотрудничество региональное соглашение "
        "партнёрство города сообщество практика руководство доклад оценка мониторинг "
        "показатели потенциал развитие документы регистрация проживание образование"
    ),
    "zh-hans": words(
        "移民 移徙者 劳动 工人 招聘 公平 权利 保护 回返 重新融入 汇款 侨民 边境 管理 健康 "
        "服务 数据 统计 融合 包容 妇女 儿童 青年 家庭 气候 流离失所 灾害 签证 技能 培训 "
        "就业 贩运 偷运 拘留 领事 协助 信息 政策 国家 计划 合作 区域 协议 伙伴关系 城市 "
        "社区 实践 指南 报告 评估 调查 监测 指标 能力 发展 证件 登记 居留 教育"
    ),
}
CONNECTORS = {
    "en": words("in of for and the with on"),
    "fr": words("de la des et pour dans les"),
    "es": words("de la los y para en con"),
    "ar": words("في من على مع"),
    "ru": words("в и для по на"),
    "zh-hans": words("的 和 在"),
}
LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh-hans"]
LANGUAGE_WEIGHTS = [45, 15, 15, 8, 8, 9]
KINDS = ["practice", "publication", "tool", "guidance", "training", "dataset", "policy", "event"]
KIND_WEIGHTS = [30, 25, 10, 10, 8, 5, 7, 5]
STATUSES = ["published", "draft", "submitted", "in_review", "revision_requested", "rejected"]
STATUS_WEIGHTS = [92, 3, 2, 1, 1, 1]
SYLLABLES = words("ka ri mo ta ne lu sa vi do re mi fa zu po ke la nu si ya go be ti")


def zipf_weights(count: int, exponent: float = 1.05) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


@dataclass
class Generated:
    """One resource as plain values (codes), before it becomes rows."""

    kind: str
    status: str
    language: str
    translations: dict[str, tuple[str, str]]
    objectives: list[str]
    is_general: bool
    principles: list[str]
    themes: list[str]
    countries: list[str]
    regions: list[str]
    year: int
    peer_reviewed: bool
    day_of_year: int
    authors: list[str] = field(default_factory=list)


class Corpus:
    """`Corpus(seed).resources(n, ...)` yields the same resources for the same seed."""

    def __init__(self, seed: int = 20261124) -> None:
        self.random = random.Random(seed)
        self.weights = {language: zipf_weights(len(words)) for language, words in WORDS.items()}
        self.rare = ["".join(self._syllables()) for _ in range(40_000)]

    def _syllables(self) -> list[str]:
        return [self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 4))]

    def _text(self, language: str, count: int) -> str:
        words = self.random.choices(WORDS[language], self.weights[language], k=count)
        connectors = CONNECTORS[language]
        out = []
        for word in words:
            out.append(word)
            if self.random.random() < 0.25:
                out.append(self.random.choice(connectors))
        if self.random.random() < 0.6:
            out.insert(self.random.randrange(len(out) + 1), self.random.choice(self.rare).title())
        return " ".join(out)

    def resources(
        self,
        n: int,
        *,
        objectives: list[str],
        principles: list[str],
        themes: list[str],
        countries: list[str],
        regions: list[str],
    ) -> list[Generated]:
        rnd = self.random
        objective_weights = zipf_weights(len(objectives), 0.6)
        country_weights = zipf_weights(len(countries), 0.8)
        rows = []
        for _ in range(n):
            language = rnd.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
            others = [code for code in LANGUAGES if code != language]
            extra = rnd.choices([0, 1, 2], [60, 30, 10])[0]
            languages = [language, *rnd.sample(others, extra)]
            translations = {
                code: (
                    self._text(code, rnd.randint(4, 10)).capitalize(),
                    self._text(code, rnd.randint(25, 60)).capitalize() + ".",
                )
                for code in languages
            }
            is_general = rnd.random() < 0.06
            chosen_objectives = (
                []
                if is_general and rnd.random() < 0.7
                else sorted(
                    set(rnd.choices(objectives, objective_weights, k=rnd.choice([1, 1, 2, 3])))
                )
            )
            rows.append(
                Generated(
                    kind=rnd.choices(KINDS, KIND_WEIGHTS)[0],
                    status=rnd.choices(STATUSES, STATUS_WEIGHTS)[0],
                    language=language,
                    translations=translations,
                    objectives=chosen_objectives,
                    is_general=is_general,
                    principles=sorted(set(rnd.sample(principles, rnd.choice([0, 1, 1, 2, 3])))),
                    themes=sorted(set(rnd.sample(themes, rnd.choice([1, 1, 2])))),
                    countries=sorted(
                        set(rnd.choices(countries, country_weights, k=rnd.choice([0, 1, 1, 2, 3])))
                    ),
                    regions=[rnd.choice(regions)] if rnd.random() < 0.2 else [],
                    year=min(2026, 2000 + int(rnd.triangular(0, 27, 24))),
                    peer_reviewed=rnd.random() < 0.35,
                    day_of_year=rnd.randint(1, 365),
                    authors=[
                        " ".join(s.title() for s in self._syllables())
                        for _ in range(rnd.randint(1, 3))
                    ],
                )
            )
        return rows
