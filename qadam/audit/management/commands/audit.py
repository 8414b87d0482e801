from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qadam.audit.chain import ChainBreak, Problem, Verification, verify


class Command(BaseCommand):
    help = "The audit log: `qadam audit verify` recomputes its hash chain and names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("verify", help="Check every entry's hash and link; exit 1 at the first broken one.")

    def handle(self, *args: object, **options: object) -> None:
        result = verify()
        if result.broken is not None:
            self.stdout.write(self._counted(result))
            raise CommandError(self._broken(result.broken), returncode=1)
        self.stdout.write(self._counted(result))
        if result.head_seq is not None:
            # The chain cannot show that its newest entries were removed; a head kept elsewhere can.
            self.stdout.write(
                _("The newest entry is number %(seq)d, hash %(hash)s.")
                % {"seq": result.head_seq, "hash": result.head_hash}
            )
        self.stdout.write(self.style.SUCCESS(_("The audit log is intact.")))

    def _counted(self, result: Verification) -> str:
        counted = ngettext(
            "%(count)d entry verified in %(seconds).2f s.",
            "%(count)d entries verified in %(seconds).2f s.",
            result.verified,
        )
        return counted % {"count": result.verified, "seconds": result.seconds}

    def _broken(self, broken: ChainBreak) -> str:
        if broken.problem == Problem.CHANGED:
            problem = _("its content does not match its hash: the entry was changed")
        elif broken.problem == Problem.UNLINKED:
            problem = _("it does not link to the entry before it: that entry was changed or replaced")
        elif broken.seq - broken.expected_seq == 1:
            problem = _("entry number %(first)d is missing before it") % {"first": broken.expected_seq}
        else:
            problem = _("entries number %(first)d to %(last)d are missing before it") % {
                "first": broken.expected_seq,
                "last": broken.seq - 1,
            }
        return _("The audit log is broken at entry %(id)d (number %(seq)d, written %(at)s): %(problem)s.") % {
            "id": broken.id,
            "seq": broken.seq,
            "at": timezone.localtime(broken.at).isoformat(timespec="seconds"),
            "problem": problem,
        }
