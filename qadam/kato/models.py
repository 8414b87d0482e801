from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class KatoUnit(models.Model):
    """A place in KATO: a region, a district or city, a rural district, or a settlement."""

    class Level(models.IntegerChoices):
        REGION = 1, _("region")
        DISTRICT = 2, _("district or city")
        RURAL_DISTRICT = 3, _("rural district or city district")
        SETTLEMENT = 4, _("settlement")

    code = models.CharField(_("KATO code"), max_length=9, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    name_kk = models.CharField(_("name in Kazakh"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    is_city = models.BooleanField(_("city"), default=False)

    class Meta:
        verbose_name = _("KATO place")
        verbose_name_plural = _("KATO places")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="kato_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language; English falls back to Russian where the table has none."""
        language = translation.get_language() or "kk"
        if language.startswith("kk"):
            return self.name_kk
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_ru

    @property
    def region_code(self) -> str:
        return self.code[:2]
