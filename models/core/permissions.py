"""Who may do what: the role table of docs/design.md, in one place.

Pages, the CLI and every query in `models/` ask this module; none of them
decides access by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.core.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATORE_RETE = "coordinatore_rete"
    DIRIGENTE = "dirigente"
    FUNZIONE_STRUMENTALE = "funzione_strumentale"
    DOCENTE = "docente"
    REGIONE = "regione"


ROLE_LABELS = {
    Role.ADMIN: "Amministratore",
    Role.COORDINATORE_RETE: "Coordinatore di rete",
    Role.DIRIGENTE: "Dirigente scolastico",
    Role.FUNZIONE_STRUMENTALE: "Funzione strumentale",
    Role.DOCENTE: "Docente",
    Role.REGIONE: "Regione (partner del programma)",
}

# Roles that belong to one school; the others belong to a network or to none.
SCHOOL_ROLES = frozenset({Role.DIRIGENTE, Role.FUNZIONE_STRUMENTALE, Role.DOCENTE})


class Capability(StrEnum):
    """Things a user may do. Pages and commands each require one."""

    USE_APP = "use_app"  # every logged-in user: the home page
    MANAGE_ACCOUNTS = "manage_accounts"  # networks, schools, users
    READ_AUDIT = "read_audit"  # the audit log of logins and account changes
    READ_PROTOCOLS = "read_protocols"  # the protocol pages; what each may do there is checked per protocol
    IMPORT_PUPIL_DATA = "import_pupil_data"  # attendance, context and outcome files of the own school
    VIEW_RISK = "view_risk"  # the school's risk list (teachers: own classes only)
    VIEW_NETWORK_FIGURES = "view_network_figures"  # the dashboard: aggregates only, small cells suppressed
    SHAPE_PROTOCOLS = "shape_protocols"  # the structure page; which protocol each may shape is checked per protocol
    # Take or decline updates: the core's changes in a school's protocol, an adopted practice's new version.
    DECIDE_NETWORK_UPDATES = "decide_network_updates"
    READ_LETTERS = "read_letters"  # the network's compulsory-education letters (the coordinator edits them)
    FOLLOW_OBLIGATION = "follow_obligation"  # the compulsory-education cases of the own school (art. 114)
    VIEW_REGION = "view_region"  # every network's dashboard figures side by side, suppressed
    READ_PRACTICES = "read_practices"  # the catalogue of published good practices, from every network
    DRAFT_PRACTICES = "draft_practices"  # write practices; publishing and adopting are checked per practice


_EVERYONE = frozenset({Capability.USE_APP, Capability.READ_PROTOCOLS, Capability.READ_PRACTICES})
_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: _EVERYONE | {Capability.MANAGE_ACCOUNTS, Capability.READ_AUDIT, Capability.VIEW_NETWORK_FIGURES,
                             Capability.SHAPE_PROTOCOLS, Capability.DECIDE_NETWORK_UPDATES, Capability.VIEW_REGION,
                             Capability.READ_LETTERS, Capability.DRAFT_PRACTICES},
    # The coordinator decides the updates of practices adopted into the core (the core has no network updates).
    Role.COORDINATORE_RETE: _EVERYONE | {Capability.VIEW_NETWORK_FIGURES, Capability.SHAPE_PROTOCOLS,
                                         Capability.DECIDE_NETWORK_UPDATES, Capability.DRAFT_PRACTICES,
                                         Capability.READ_LETTERS},
    Role.DIRIGENTE: _EVERYONE | {Capability.IMPORT_PUPIL_DATA, Capability.VIEW_RISK, Capability.VIEW_NETWORK_FIGURES,
                                 Capability.SHAPE_PROTOCOLS, Capability.DECIDE_NETWORK_UPDATES,
                                 Capability.FOLLOW_OBLIGATION, Capability.READ_LETTERS, Capability.DRAFT_PRACTICES},
    Role.FUNZIONE_STRUMENTALE: _EVERYONE | {Capability.IMPORT_PUPIL_DATA, Capability.VIEW_RISK,
                                            Capability.VIEW_NETWORK_FIGURES, Capability.FOLLOW_OBLIGATION,
                                            Capability.READ_LETTERS},
    Role.DOCENTE: _EVERYONE | {Capability.VIEW_RISK},
    # The programme's regional partners: figures of every network and the published practices, never a pupil,
    # a draft or a protocol (a school's protocol names its staff and is the school's own; what travels is the
    # practice catalogue).
    Role.REGIONE: frozenset({Capability.USE_APP, Capability.VIEW_REGION, Capability.READ_PRACTICES}),
}


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a function runs.

    ``network_code`` is filled for school roles too (the network of their
    school), so scoping never needs a second lookup.
    """

    user_id: int | None
    username: str
    role: Role
    school_code: str | None = None
    network_code: str | None = None
    full_name: str = ""
    # The command line of the server's operator: like admin, and it may also
    # read pupil data for batch jobs (each read goes to the access log).
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "cli") -> Actor:
        """The command line, run by whoever administers the server."""
        return cls(user_id=None, username=name, role=Role.ADMIN, full_name="Riga di comando", is_system=True)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def can(actor: Actor, capability: Capability) -> bool:
    return capability in _CAPABILITIES[actor.role]


def require(actor: Actor, capability: Capability) -> None:
    if not can(actor, capability):
        raise PermissionDenied()


def school_scope(actor: Actor) -> tuple[str, str | None]:
    """How far the actor sees schools: ('all', None), ('network', code) or ('school', code)."""
    if actor.role in (Role.ADMIN, Role.REGIONE):  # the region sees which networks and schools there are
        return ("all", None)
    if actor.role is Role.COORDINATORE_RETE:
        return ("network", actor.network_code)
    return ("school", actor.school_code)


def can_see_school(actor: Actor, school_code: str, network_code: str) -> bool:
    """See a school at all (its name, its facts): within the actor's `school_scope`."""
    scope, code = school_scope(actor)
    return scope == "all" or code == {"network": network_code, "school": school_code}[scope]


def chooses_network(actor: Actor) -> bool:
    """Pages that show one network let the actor pick it: whoever sees every network (an admin)."""
    return school_scope(actor)[0] == "all"


def sees_network_schools(actor: Actor) -> bool:
    """The home page's list of the schools of the network(s): admin and coordinators, who see no single school."""
    return school_scope(actor)[0] in ("all", "network")


def can_manage_school(actor: Actor, school_code: str) -> bool:
    """Change a school's own facts: its dirigente, or an admin."""
    return actor.role is Role.ADMIN or (actor.role is Role.DIRIGENTE and actor.school_code == school_code)


# --- protocols --------------------------------------------------------------
# A protocol belongs to a network and, unless it is the network's core, to
# one school (school_code None = the core).


def can_read_protocol(actor: Actor, network_code: str, school_code: str | None) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.network_code != network_code:
        return False
    if actor.role is Role.COORDINATORE_RETE:
        return True
    return school_code is None or school_code == actor.school_code


def can_edit_protocol(actor: Actor, network_code: str, school_code: str | None) -> bool:
    """Edit sections and move the workflow: the coordinator for the core, the dirigente for the school."""
    if actor.role is Role.ADMIN:
        return True
    if actor.network_code != network_code:
        return False
    if school_code is None:
        return actor.role is Role.COORDINATORE_RETE
    return actor.role is Role.DIRIGENTE and actor.school_code == school_code


def can_comment_protocol(actor: Actor, network_code: str, school_code: str | None) -> bool:
    """Everyone who reads a protocol may comment on it, except teachers, who only read."""
    return actor.role is not Role.DOCENTE and can_read_protocol(actor, network_code, school_code)


# --- pupil data -------------------------------------------------------------------
# Admins are not school staff: on the web they see no pupil. Coordinators
# never do. Teachers see their own classes (the class filter is applied by
# the query that reads the rows).


def can_read_pupils(actor: Actor, school_code: str) -> bool:
    if actor.is_system:
        return True
    return actor.role in SCHOOL_ROLES and actor.school_code == school_code


def can_import_pupils(actor: Actor, school_code: str) -> bool:
    if actor.is_system:
        return True
    return actor.role in (Role.DIRIGENTE, Role.FUNZIONE_STRUMENTALE) and actor.school_code == school_code


def require_pupils(actor: Actor, school_code: str, *, write: bool = False) -> None:
    allowed = can_import_pupils(actor, school_code) if write else can_read_pupils(actor, school_code)
    if not allowed:
        raise PermissionDenied("Non hai accesso ai dati degli alunni di questa scuola.")


def can_purge_pupils(actor: Actor, school_code: str) -> bool:
    """Delete a school's old pupil data: its dirigente, or the server's operator (the CLI)."""
    return actor.is_system or can_manage_school(actor, school_code)


def can_follow_up(actor: Actor, school_code: str) -> bool:
    """Review pupils and record interventions: the school's dirigente and funzione strumentale."""
    return actor.role in (Role.DIRIGENTE, Role.FUNZIONE_STRUMENTALE) and actor.school_code == school_code


def require_follow_up(actor: Actor, school_code: str) -> None:
    if not can_follow_up(actor, school_code):
        raise PermissionDenied("Solo il dirigente e la funzione strumentale della scuola registrano revisioni e"
                               " interventi.")


def can_follow_obligation(actor: Actor, school_code: str) -> bool:
    """See and act on the compulsory-education cases (art. 114 c. 4 D.Lgs. 297/1994): the school's dirigente
    and funzione strumentale, or the server's operator (the CLI). Coordinators see suppressed counts only
    (the network figures); teachers nothing."""
    if actor.is_system:
        return True
    return can(actor, Capability.FOLLOW_OBLIGATION) and actor.school_code == school_code


def require_obligation(actor: Actor, school_code: str) -> None:
    if not can_follow_obligation(actor, school_code):
        raise PermissionDenied("Solo il dirigente e la funzione strumentale della scuola vedono i casi di obbligo"
                               " scolastico.")


# --- letters of the compulsory-education procedure (art. 114 c. 4 D.Lgs. 297/1994) -----------------


def can_read_letter_texts(actor: Actor, network_code: str) -> bool:
    """The network's letter texts: its coordinator (who edits them), the dirigenti and funzioni strumentali of
    its schools (who send them), admins."""
    if actor.is_system or actor.role is Role.ADMIN:
        return True
    return actor.network_code == network_code and can(actor, Capability.READ_LETTERS)


def can_edit_letter_texts(actor: Actor, network_code: str) -> bool:
    """Change the network's letter texts, in any language: its coordinator, an admin, the CLI."""
    return can_manage_network(actor, network_code)


def can_send_letters(actor: Actor, school_code: str) -> bool:
    """Download a letter about one of the school's cases: whoever follows them (its dirigente and funzione
    strumentale, the CLI); every download is in the access log."""
    return can_follow_obligation(actor, school_code)


def network_figures_view(actor: Actor, network_code: str) -> str:
    """How much of a network's figures the actor sees (docs/design.md, "network figures").

    'schools': every school's row and the network's totals (admin, the network's coordinator);
    'network': the network's totals and the own school's row (dirigente);
    'school': the own school's row only (funzione strumentale). Teachers see none.
    'region': the network's totals only, no school's row (the regional partners, for every network).
    """
    if actor.role is Role.ADMIN:
        return "schools"
    if actor.role is Role.REGIONE:
        return "region"
    if actor.network_code != network_code or actor.role is Role.DOCENTE:
        raise PermissionDenied("Non hai accesso ai dati di questa rete.")
    return {Role.COORDINATORE_RETE: "schools", Role.DIRIGENTE: "network",
            Role.FUNZIONE_STRUMENTALE: "school"}[actor.role]


def can_filter_figures_on(actor: Actor, view: str, school_code: str) -> bool:
    """Narrow the network's figures to one school: any school for the 'schools' view, else the own one only
    (a single other school shown as "the network" would give away that school's figures)."""
    return view == "schools" or school_code == actor.school_code


def require_network_figures(actor: Actor, network_code: str) -> str:
    """`network_figures_view`, for the roles that see network figures at all (teachers are refused)."""
    if not can(actor, Capability.VIEW_NETWORK_FIGURES):
        raise PermissionDenied("Non hai accesso ai dati di questa rete.")
    return network_figures_view(actor, network_code)


# --- network settings and the learned model ---------------------------------------------


def can_manage_network(actor: Actor, network_code: str) -> bool:
    """Change a network's risk thresholds, train and evaluate its model: its coordinator, an admin, the CLI."""
    return actor.is_system or actor.role is Role.ADMIN or (
        actor.role is Role.COORDINATORE_RETE and actor.network_code == network_code)


def require_manage_network(actor: Actor, network_code: str, message: str) -> None:
    if not can_manage_network(actor, network_code):
        raise PermissionDenied(message)


def model_figures_for(actor: Actor, network_code: str) -> str:
    """How much of the network model's document the actor reads: the view of `network_figures_view`.

    The document counts pupils and adverse outcomes per school, so it follows the network-figures row of
    docs/design.md: 'schools' every school (small counts suppressed), 'network' the network's totals (suppressed)
    and the own school, 'school' the own school only. Teachers read none of it.
    """
    return require_network_figures(actor, network_code)


def require_model_use(actor: Actor, school_code: str) -> None:
    """Use the network's model on a school's pupils (its estimates in the list): whoever reads those pupils."""
    require_pupils(actor, school_code)


# --- people and logs of a school ----------------------------------------------------------


def can_see_staff(actor: Actor, school_code: str) -> bool:
    """The school's staff list (owners of follow-ups): its own people, or an admin."""
    return actor.role is Role.ADMIN or actor.school_code == school_code


def can_assign_classes(actor: Actor, school_code: str) -> bool:
    """Set a teacher's classes: the school's dirigente, or an admin."""
    return can_manage_school(actor, school_code)


def can_read_access_log(actor: Actor, school_code: str) -> bool:
    """Who read the school's pupil data: its dirigente, or an admin."""
    return can_manage_school(actor, school_code)


def sees_own_classes_only(actor: Actor) -> bool:
    """Teachers see the pupils of their classes; the query reads which classes those are."""
    return has_classes(actor.role)


def role_scope(role: Role | str) -> str | None:
    """Where an account of this role belongs: 'school' (its school's code), 'network' (its network's) or None."""
    role = Role(role)
    if role in SCHOOL_ROLES:
        return "school"
    return "network" if role is Role.COORDINATORE_RETE else None


def only_reads_protocols(actor: Actor) -> bool:
    """Roles that never edit a protocol: for them the editor is a reading page, and says so."""
    return actor.role in (Role.DOCENTE, Role.FUNZIONE_STRUMENTALE)


def reads_published_first(actor: Actor) -> bool:
    """Teachers read the published version of a protocol by default while a new revision is being written."""
    return actor.role is Role.DOCENTE


def administers(actor: Actor) -> bool:
    """Who runs the installation (accounts, networks, schools): the regional partner only follows the programme."""
    return can(actor, Capability.MANAGE_ACCOUNTS)


def has_classes(role: Role | str) -> bool:
    """Accounts that are given classes (and see only those pupils): teachers."""
    return Role(role) is Role.DOCENTE


# --- proposals to the network's core -----------------------------------------------------------
# A school's dirigente proposes a change to a section of the core; the network's schools read the
# proposals, their dirigenti support and comment, the coordinator decides. Never the region.


def can_read_proposals(actor: Actor, network_code: str) -> bool:
    if actor.role is Role.ADMIN:
        return True
    return actor.network_code == network_code and actor.role in (Role.COORDINATORE_RETE, *SCHOOL_ROLES)


def can_propose(actor: Actor, network_code: str, school_code: str) -> bool:
    """Propose a change to the core for the school's level: the school's dirigente."""
    return (actor.role is Role.DIRIGENTE and actor.network_code == network_code
            and actor.school_code == school_code)


def can_support_proposal(actor: Actor, network_code: str, proposing_school: str) -> bool:
    """Support another school's proposal: the dirigente of a school of the same network (one per school)."""
    return (actor.role is Role.DIRIGENTE and actor.network_code == network_code
            and actor.school_code != proposing_school)


def can_comment_proposal(actor: Actor, network_code: str) -> bool:
    """Discuss a proposal: the network's dirigenti and its coordinator (and an admin)."""
    return can_read_proposals(actor, network_code) and actor.role in (
        Role.ADMIN, Role.COORDINATORE_RETE, Role.DIRIGENTE)


def can_decide_proposal(actor: Actor, network_code: str) -> bool:
    """Accept or decline: whoever edits the core (the network's coordinator, an admin)."""
    return can_edit_protocol(actor, network_code, None)


# --- good practices -----------------------------------------------------------------------------
# A practice belongs to a network and, when a dirigente drafted it, to a school (None = the coordinator's).
# Published practices are read by every network; drafts only inside their network, by who may edit them and
# by the network's coordinator.


def can_edit_practice(actor: Actor, network_code: str, school_code: str | None) -> bool:
    """Write a practice's versions: the network's coordinator, the dirigente of the school it comes from."""
    if actor.role is Role.ADMIN:
        return True
    if actor.network_code != network_code:
        return False
    if actor.role is Role.COORDINATORE_RETE:
        return True
    return actor.role is Role.DIRIGENTE and school_code is not None and actor.school_code == school_code


def can_publish_practice(actor: Actor, network_code: str) -> bool:
    """Publish for every network: the coordinator of the practice's network (or an admin)."""
    return actor.role is Role.ADMIN or (actor.role is Role.COORDINATORE_RETE and actor.network_code == network_code)


def can_read_practice(actor: Actor, network_code: str, school_code: str | None, published: bool) -> bool:
    if published:
        return can(actor, Capability.READ_PRACTICES)
    return can_edit_practice(actor, network_code, school_code)


def draft_school(actor: Actor, school_code: str | None) -> str | None:
    """The school a new practice belongs to: a dirigente drafts for the own school, a coordinator for the network
    (None), an admin for the school named."""
    return actor.school_code if actor.role is Role.DIRIGENTE else school_code


def can_propose_practice(actor: Actor, network_code: str, school_code: str | None) -> bool:
    """Send a draft to the network's coordinator: the dirigente who writes it (the coordinator publishes)."""
    return actor.role is Role.DIRIGENTE and can_edit_practice(actor, network_code, school_code)


def adopts_practices(actor: Actor) -> bool:
    """Who adopts practices into a protocol (into the school's, into the core): dirigenti and coordinators."""
    return actor.role in (Role.DIRIGENTE, Role.COORDINATORE_RETE)


def can_draft_practice_for(actor: Actor, network_code: str, school_code: str | None) -> bool:
    """Start a practice in this network (and school): whoever would then edit it, if the role drafts at all."""
    return can(actor, Capability.DRAFT_PRACTICES) and can_edit_practice(actor, network_code, school_code)
