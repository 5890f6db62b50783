"""The two questionnaires every centre starts with, in Romanian, Hungarian and English.

They are written to the database the first time a campaign needs them (``services``), so that the
answers keep pointing at the wording that was asked even if a later version changes it."""

from daycentre.surveys.models import Audience, QuestionKind

S, YN, C, T = QuestionKind.SCALE, QuestionKind.YES_NO, QuestionKind.CHOICE, QuestionKind.TEXT

STANDARD = {
    "parents_v1": {
        "audience": Audience.PARENTS,
        "title": {
            "ro": "Chestionar de satisfacție pentru părinți",
            "hu": "Elégedettségi kérdőív szülőknek",
            "en": "Satisfaction questionnaire for parents",
        },
        "questions": [
            (
                S,
                {
                    "ro": "Cât de mulțumit sunteți, în general, de serviciile centrului?",
                    "hu": "Általában mennyire elégedett a központ szolgáltatásaival?",
                    "en": "Overall, how satisfied are you with the centre's services?",
                },
            ),
            (
                S,
                {
                    "ro": "Cât de mulțumit sunteți de sprijinul la teme și de activitățile educative?",
                    "hu": "Mennyire elégedett a házi feladatokban nyújtott segítséggel és a "
                    "nevelési foglalkozásokkal?",
                    "en": "How satisfied are you with the homework support and the educational "
                    "activities?",
                },
            ),
            (
                S,
                {
                    "ro": "Cât de mulțumit sunteți de masa servită copilului?",
                    "hu": "Mennyire elégedett a gyermekének felszolgált étkezéssel?",
                    "en": "How satisfied are you with the meal your child is served?",
                },
            ),
            (
                S,
                {
                    "ro": "Cât de bine vă informează personalul despre copilul dumneavoastră?",
                    "hu": "Mennyire jól tájékoztatja a személyzet a gyermekéről?",
                    "en": "How well does the staff keep you informed about your child?",
                },
            ),
            (
                YN,
                {
                    "ro": "Copilul dumneavoastră vine cu plăcere la centru?",
                    "hu": "Gyermeke szívesen jár a központba?",
                    "en": "Does your child like coming to the centre?",
                },
            ),
            (
                C,
                {
                    "ro": "Ce v-a ajutat cel mai mult?",
                    "hu": "Mi segített a legtöbbet?",
                    "en": "What helped you most?",
                },
                {
                    "ro": "Sprijinul la teme\nMasa caldă\nConsilierea\nActivitățile și excursiile",
                    "hu": "A házi feladatokban nyújtott segítség\nA meleg ebéd\nA tanácsadás\n"
                    "A foglalkozások és a kirándulások",
                    "en": "Homework support\nThe hot meal\nCounselling\nActivities and outings",
                },
            ),
            (
                T,
                {
                    "ro": "Ce ar trebui să îmbunătățim?",
                    "hu": "Min kellene javítanunk?",
                    "en": "What should we improve?",
                },
            ),
        ],
    },
    "children_v1": {
        "audience": Audience.CHILDREN,
        "title": {
            "ro": "Chestionar de satisfacție pentru copii",
            "hu": "Elégedettségi kérdőív gyermekeknek",
            "en": "Satisfaction questionnaire for children",
        },
        "questions": [
            (
                S,
                {
                    "ro": "Cât de mult îți place la centru?",
                    "hu": "Mennyire szeretsz a központban lenni?",
                    "en": "How much do you like being at the centre?",
                },
            ),
            (
                S,
                {
                    "ro": "Cât de mult te ajută educatorii la teme?",
                    "hu": "Mennyit segítenek a nevelők a házi feladatban?",
                    "en": "How much do the educators help you with your homework?",
                },
            ),
            (
                YN,
                {
                    "ro": "Te simți în siguranță la centru?",
                    "hu": "Biztonságban érzed magad a központban?",
                    "en": "Do you feel safe at the centre?",
                },
            ),
            (
                YN,
                {
                    "ro": "Ai cui să te plângi dacă ceva nu e în regulă?",
                    "hu": "Van kinek szólnod, ha valami nincs rendben?",
                    "en": "Is there someone you can tell if something is wrong?",
                },
            ),
            (
                C,
                {
                    "ro": "Ce îți place cel mai mult?",
                    "hu": "Mit szeretsz a legjobban?",
                    "en": "What do you like most?",
                },
                {
                    "ro": "Jocurile\nMasa\nTemele făcute împreună\nExcursiile",
                    "hu": "A játékokat\nAz ebédet\nA közös tanulást\nA kirándulásokat",
                    "en": "The games\nThe meal\nDoing homework together\nThe outings",
                },
            ),
            (
                T,
                {
                    "ro": "Ce ai vrea să facem altfel?",
                    "hu": "Mit csinálnál másképp?",
                    "en": "What would you like us to do differently?",
                },
            ),
        ],
    },
}

STANDARD_FOR = {Audience.PARENTS: "parents_v1", Audience.CHILDREN: "children_v1"}
