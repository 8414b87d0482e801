"""Kazakh and Russian names for demo and synthetic people, and the rules that inflect them by sex.

Kazakh surnames come in the Russian-era form (-ов/-ова, -ев/-ева, -ин/-ина) or, for a share of families,
as the father's name with -ұлы/-қызы ("son of", "daughter of"); Kazakh patronymics are always -ұлы/-қызы.
Russian patronymics are -ович/-овна, -евич/-евна, built from the father's given name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MALE = "male"
FEMALE = "female"

KAZAKH_MALE = [
    "Нұрлан",
    "Асқар",
    "Ерлан",
    "Бауыржан",
    "Дәурен",
    "Ерғали",
    "Қайрат",
    "Серік",
    "Болат",
    "Марат",
    "Жандос",
    "Ерболат",
    "Әділет",
    "Нұрсұлтан",
    "Айдос",
    "Дастан",
    "Ержан",
    "Мұрат",
    "Талғат",
    "Ғалым",
    "Бақытжан",
    "Санжар",
    "Темірлан",
    "Арман",
    "Алмас",
    "Рүстем",
    "Қуаныш",
    "Ерасыл",
    "Нұрбол",
    "Абылай",
    "Әлихан",
    "Айбек",
    "Мейірхан",
    "Ақжол",
    "Жасұлан",
    "Дәулет",
    "Ғани",
    "Өмірзақ",
    "Құдайберген",
    "Шыңғыс",
    "Мақсат",
    "Еркебұлан",
    "Ілияс",
    "Үсен",
    "Бекзат",
    "Рахат",
    "Жомарт",
    "Тілеуберді",
    "Әлібек",
    "Саят",
]
KAZAKH_FEMALE = [
    "Әлия",
    "Жанар",
    "Айгерім",
    "Гүлнар",
    "Әсем",
    "Дана",
    "Сәуле",
    "Раушан",
    "Жұлдыз",
    "Айнұр",
    "Ақмарал",
    "Гүлмира",
    "Динара",
    "Назерке",
    "Жансая",
    "Мөлдір",
    "Ақбота",
    "Аружан",
    "Балнұр",
    "Қарлығаш",
    "Мәдина",
    "Інжу",
    "Перизат",
    "Толғанай",
    "Айым",
    "Салтанат",
    "Ұлжан",
    "Гүлжан",
    "Күлпаш",
    "Әйгерім",
    "Зере",
    "Томирис",
    "Аяулым",
    "Інкәр",
    "Гауһар",
    "Ботагөз",
    "Шұғыла",
    "Меруерт",
    "Құралай",
    "Айжан",
    "Ләззат",
    "Нұргүл",
    "Бибігүл",
    "Үміт",
    "Сандуғаш",
    "Жібек",
    "Өркен",
    "Қымбат",
    "Нәзира",
    "Ақерке",
]
# Male forms; the female form adds "а".
KAZAKH_SURNAMES = [
    "Құлмағамбетов",
    "Садықов",
    "Жұмабаев",
    "Нұрғалиев",
    "Әбдірахманов",
    "Тоқтаров",
    "Оспанов",
    "Бекмұхамбетов",
    "Сейітқалиев",
    "Әлімжанов",
    "Қасымов",
    "Ибраев",
    "Мұқанов",
    "Есенов",
    "Серікбаев",
    "Омаров",
    "Байжанов",
    "Төлегенов",
    "Ержанов",
    "Сәрсенбаев",
    "Қуанышев",
    "Ахметов",
    "Ысқақов",
    "Жақыпов",
    "Тұрсынов",
    "Әбілқасымов",
    "Нұрмағамбетов",
    "Бейсенов",
    "Дүйсенбаев",
    "Қайырбеков",
    "Мамыров",
    "Өтегенов",
    "Үсенов",
    "Шәріпов",
    "Ғабдуллин",
    "Смағұлов",
    "Әбенов",
    "Жүнісов",
    "Қалиев",
    "Рысқұлов",
    "Тәжібаев",
    "Ермеков",
    "Құдайбергенов",
    "Сұлтанбеков",
    "Әуезов",
    "Молдағалиев",
    "Бектұрсынов",
    "Исаев",
    "Ізбасаров",
    "Көшербаев",
    "Һашимов",
    "Темірбеков",
    "Нұртазин",
    "Айтбаев",
]
# Given name -> (son's patronymic, daughter's patronymic).
RUSSIAN_MALE = {
    "Александр": ("Александрович", "Александровна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Иван": ("Иванович", "Ивановна"),
    "Максим": ("Максимович", "Максимовна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Николай": ("Николаевич", "Николаевна"),
    "Павел": ("Павлович", "Павловна"),
    "Артём": ("Артёмович", "Артёмовна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Олег": ("Олегович", "Олеговна"),
    "Денис": ("Денисович", "Денисовна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Константин": ("Константинович", "Константиновна"),
    "Роман": ("Романович", "Романовна"),
    "Вячеслав": ("Вячеславович", "Вячеславовна"),
    "Геннадий": ("Геннадьевич", "Геннадьевна"),
}
RUSSIAN_FEMALE = [
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Марина",
    "Людмила",
    "Галина",
    "Дарья",
    "Ксения",
    "Оксана",
    "Вера",
    "Алина",
    "Валентина",
]
# Male forms; the female form adds "а" (Соловьёв -> Соловьёва).
RUSSIAN_SURNAMES = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кириллов",
    "Белов",
    "Гусев",
]
# Korean and Ukrainian surnames common in Kazakhstan that do not change with sex.
INVARIANT_SURNAMES = ["Ким", "Пак", "Цой", "Ли", "Шевченко", "Бондаренко", "Ткаченко"]


def feminine(surname: str) -> str:
    """The female form of a male surname (Садықов -> Садықова); -ко and Korean surnames stay as they are."""
    if surname in INVARIANT_SURNAMES:
        return surname
    return surname + "а"


@dataclass(frozen=True)
class Naming:
    """How one family names its members: Kazakh or Russian given names, surname and patronymic rules."""

    culture: str  # "kk" or "ru"
    # Kazakh families only: the surname is the father's name with -ұлы/-қызы, and no separate patronymic.
    father_name_surname: bool = False

    def given_name(self, rng: random.Random, sex: str) -> str:
        if self.culture == "kk":
            return rng.choice(KAZAKH_MALE if sex == MALE else KAZAKH_FEMALE)
        return rng.choice(list(RUSSIAN_MALE) if sex == MALE else RUSSIAN_FEMALE)

    def family_surname(self, rng: random.Random) -> str:
        """A family's surname in its male form."""
        if self.culture == "kk":
            return rng.choice(KAZAKH_SURNAMES)
        return rng.choice(RUSSIAN_SURNAMES if rng.random() < 0.85 else INVARIANT_SURNAMES)

    def surname(self, male_form: str, sex: str, father: str) -> str:
        if self.father_name_surname:
            return father + ("ұлы" if sex == MALE else "қызы")
        return male_form if sex == MALE else feminine(male_form)

    def patronymic(self, father: str, sex: str) -> str:
        if self.father_name_surname:
            return ""
        if self.culture == "kk":
            return father + ("ұлы" if sex == MALE else "қызы")
        son, daughter = RUSSIAN_MALE[father]
        return son if sex == MALE else daughter
