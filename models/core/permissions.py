"""Who may do what: one question, `allowed(actor, action, resource)`, and `require(...)`, which refuses in Italian.

Both read one table (`TABLE`: action × role → scopes) that docs/design.md shows verbatim (`role_table()`,
tested). Pages, the CLI and every query in `models/` ask this module; none of them compares a role or raises
PermissionDenied by itself (tests/test_role_checks.py).
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


class Scope(StrEnum):
    """How far a role's right reaches, checked against the resource the action is about."""

    ALL = "all"  # anything (admin, the command line)
    REGION = "region"  # every network, for the programme's regional partners
    OWN_NETWORK = "own network"  # anything of the actor's network
    NETWORK_CORE = "own network's core"  # what belongs to the actor's network and to none of its schools
    OWN_SCHOOL = "own school"  # what belongs to the actor's school
    OTHER_SCHOOL = "another school of own network"  # a sibling school's (support its proposal)
    PUBLISHED = "published"  # what is published for every network (the practice catalogue)
    AUTHOR = "author"  # what the actor wrote


class Action(StrEnum):
    """What a user may do: the rows of the role table (`TABLE`). Pages and commands name one; the page-level
    question ("may this role open it at all?") is the same action asked without a resource."""

    USE_APP = "use_app"  # every logged-in user: the home page
    MANAGE_ACCOUNTS = "manage_accounts"  # networks, schools, users, the mail server
    READ_AUDIT = "read_audit"  # the audit log of logins and account changes
    SEE_SCHOOL = "see_school"  # a school's name and facts
    CHOOSE_NETWORK = "choose_network"  # pages about one network let the actor pick which
    LIST_NETWORK_SCHOOLS = "list_network_schools"  # the home page's list of the network's schools
    MANAGE_SCHOOL = "manage_school"  # the school's facts, logo, classes, retention, derogations, access log
    SEE_STAFF = "see_staff"  # the school's staff list (owners of follow-ups)
    MANAGE_NETWORK = "manage_network"  # risk thresholds, the learned model, the letter texts
    READ_PROTOCOLS = "read_protocols"
    EDIT_PROTOCOL = "edit_protocol"  # sections and workflow; deciding proposals to the core
    COMMENT_PROTOCOL = "comment_protocol"
    CHANGE_LOCKED_SECTION = "change_locked_section"  # in a school's protocol, a section the network locked
    SHAPE_PROTOCOLS = "shape_protocols"  # the structure page
    DECIDE_NETWORK_UPDATES = "decide_network_updates"  # the core's changes, an adopted practice's new version
    READ_PROPOSALS = "read_proposals"  # proposals of changes to the network's core
    PROPOSE = "propose"
    SUPPORT_PROPOSAL = "support_proposal"
    COMMENT_PROPOSAL = "comment_proposal"
    WITHDRAW_PROPOSAL = "withdraw_proposal"
    READ_PUPILS = "read_pupils"  # pupil-level risk data (teachers: the query keeps their classes only)
    IMPORT_PUPIL_DATA = "import_pupil_data"  # attendance, context and outcome files
    FOLLOW_UP = "follow_up"  # reviews and interventions
    FOLLOW_OBLIGATION = "follow_obligation"  # compulsory-education cases (art. 114) and their letters
    READ_LETTERS = "read_letters"  # the network's letter texts (the coordinator edits them: manage_network)
    VIEW_NETWORK_FIGURES = "view_network_figures"  # the dashboard: aggregates only, small cells suppressed
    FILTER_FIGURES = "filter_figures"  # narrow the network's figures to one school
    VIEW_REGION = "view_region"  # every network's figures side by side, suppressed
    READ_PRACTICES = "read_practices"  # the catalogue; drafts inside their network
    DRAFT_PRACTICES = "draft_practices"  # write a practice's versions
    PROPOSE_PRACTICE = "propose_practice"  # send a draft to the coordinator
    PUBLISH_PRACTICE = "publish_practice"
    ADOPT_PRACTICES = "adopt_practices"  # into the school's protocol, into the core


CLI = "cli"  # the column of the command line (`Actor.system()`)
ALL, REGION, NETWORK, CORE = Scope.ALL, Scope.REGION, Scope.OWN_NETWORK, Scope.NETWORK_CORE
SCHOOL, OTHER, PUBLISHED, AUTHOR = Scope.OWN_SCHOOL, Scope.OTHER_SCHOOL, Scope.PUBLISHED, Scope.AUTHOR


def _row(*, cli=None, **by_role) -> dict[Role | str, frozenset[Scope]]:
    """One action's row: role -> scopes. The command line has the admin's scopes unless told otherwise."""
    row: dict[Role | str, frozenset[Scope]] = {}
    for role in Role:
        scopes = by_role.pop(role.value, ())
        row[role] = frozenset([scopes] if isinstance(scopes, Scope) else scopes)
    assert not by_role, f"unknown roles {sorted(by_role)}"
    row[CLI] = row[Role.ADMIN] if cli is None else frozenset([cli] if isinstance(cli, Scope) else cli)
    return row


_STAFF = {"dirigente": SCHOOL, "funzione_strumentale": SCHOOL, "docente": SCHOOL}
_LEADS = {"dirigente": SCHOOL, "funzione_strumentale": SCHOOL}

# The one table: action × role → scopes (empty: never). docs/design.md shows it (`role_table()`, tested).
TABLE: dict[Action, dict[Role | str, frozenset[Scope]]] = {
    Action.USE_APP: _row(admin=ALL, coordinatore_rete=ALL, dirigente=ALL, funzione_strumentale=ALL, docente=ALL,
                         regione=ALL),
    Action.MANAGE_ACCOUNTS: _row(admin=ALL),
    Action.READ_AUDIT: _row(admin=ALL),
    # The region sees which networks and schools there are.
    Action.SEE_SCHOOL: _row(admin=ALL, regione=REGION, coordinatore_rete=NETWORK, **_STAFF),
    Action.CHOOSE_NETWORK: _row(admin=ALL, regione=REGION),
    Action.LIST_NETWORK_SCHOOLS: _row(admin=ALL, regione=REGION, coordinatore_rete=NETWORK),
    Action.MANAGE_SCHOOL: _row(admin=ALL, dirigente=SCHOOL),
    Action.SEE_STAFF: _row(admin=ALL, **_STAFF),
    Action.MANAGE_NETWORK: _row(admin=ALL, coordinatore_rete=NETWORK),
    # A protocol belongs to a network and, unless it is the network's core, to one school. The region reads
    # none: a school's protocol names its staff; what travels is the practice catalogue.
    Action.READ_PROTOCOLS: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=(SCHOOL, CORE),
                                funzione_strumentale=(SCHOOL, CORE), docente=(SCHOOL, CORE)),
    Action.EDIT_PROTOCOL: _row(admin=ALL, coordinatore_rete=CORE, dirigente=SCHOOL),
    Action.COMMENT_PROTOCOL: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=(SCHOOL, CORE),
                                  funzione_strumentale=(SCHOOL, CORE)),
    Action.CHANGE_LOCKED_SECTION: _row(),
    Action.SHAPE_PROTOCOLS: _row(admin=ALL, coordinatore_rete=CORE, dirigente=SCHOOL),
    # The coordinator decides the updates of practices adopted into the core (the core has no network updates).
    Action.DECIDE_NETWORK_UPDATES: _row(admin=ALL, coordinatore_rete=CORE, dirigente=SCHOOL),
    # Proposals to the core: a dirigente proposes, the other schools' dirigenti support, the coordinator
    # decides (edit_protocol on the core). Never the region.
    Action.READ_PROPOSALS: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=NETWORK,
                                funzione_strumentale=NETWORK, docente=NETWORK),
    Action.PROPOSE: _row(dirigente=SCHOOL),
    Action.SUPPORT_PROPOSAL: _row(dirigente=OTHER),
    Action.COMMENT_PROPOSAL: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=NETWORK),
    Action.WITHDRAW_PROPOSAL: _row(dirigente=AUTHOR),
    # Pupil data: admins are not school staff (on the web they see no pupil); coordinators never do. The
    # command line reads them for batch jobs (each read goes to the access log).
    Action.READ_PUPILS: _row(cli=ALL, **_STAFF),
    Action.IMPORT_PUPIL_DATA: _row(cli=ALL, **_LEADS),
    Action.FOLLOW_UP: _row(**_LEADS),
    Action.FOLLOW_OBLIGATION: _row(cli=ALL, **_LEADS),
    Action.READ_LETTERS: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=NETWORK,
                              funzione_strumentale=NETWORK),
    Action.VIEW_NETWORK_FIGURES: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=NETWORK,
                                      funzione_strumentale=NETWORK),
    # A single other school shown as "the network" would give away that school's figures.
    Action.FILTER_FIGURES: _row(admin=ALL, coordinatore_rete=NETWORK, **_LEADS),
    Action.VIEW_REGION: _row(admin=ALL, regione=REGION),
    # Published practices are read by every network; drafts only inside their network, by who may edit them.
    Action.READ_PRACTICES: _row(admin=ALL, coordinatore_rete=(NETWORK, PUBLISHED), dirigente=(SCHOOL, PUBLISHED),
                                funzione_strumentale=PUBLISHED, docente=PUBLISHED, regione=PUBLISHED),
    Action.DRAFT_PRACTICES: _row(admin=ALL, coordinatore_rete=NETWORK, dirigente=SCHOOL),
    Action.PROPOSE_PRACTICE: _row(dirigente=SCHOOL),
    Action.PUBLISH_PRACTICE: _row(admin=ALL, coordinatore_rete=NETWORK),
    Action.ADOPT_PRACTICES: _row(coordinatore_rete=CORE, dirigente=SCHOOL),
}

# The refusal each action gives when the caller names no better one.
_REFUSALS = {
    Action.READ_PUPILS: "Non hai accesso ai dati degli alunni di questa scuola.",
    Action.IMPORT_PUPIL_DATA: "Non hai accesso ai dati degli alunni di questa scuola.",
    Action.FOLLOW_UP: "Solo il dirigente e la funzione strumentale della scuola registrano revisioni e interventi.",
    Action.FOLLOW_OBLIGATION: "Solo il dirigente e la funzione strumentale della scuola vedono i casi di obbligo"
                              " scolastico.",
    Action.VIEW_NETWORK_FIGURES: "Non hai accesso ai dati di questa rete.",
    Action.SEE_SCHOOL: "Non hai accesso ai dati di questa scuola.",
    Action.READ_PROTOCOLS: "Non hai accesso a questo protocollo.",
}


@dataclass(frozen=True)
class Resource:
    """What an action is about: what its scope is checked against. `None` fields are "none" (a core protocol
    has no school); `reachable` is False for a thing outside the actor's own records (a pupil of another
    class, a code that does not exist) so that the refusal is the same as for a forbidden one."""

    network_code: str | None = None
    school_code: str | None = None
    published: bool = False
    author: str | None = None
    reachable: bool = True


class NetworkRef(Resource):
    def __init__(self, code: str):
        super().__init__(network_code=code)


class SchoolRef(Resource):
    """A school, its facts and its pupils' data; the network is needed only by network scopes."""

    def __init__(self, code: str, network_code: str | None = None, *, reachable: bool = True):
        super().__init__(network_code=network_code, school_code=code, reachable=reachable)


class ProtocolRef(Resource):
    """A protocol: of a school, or the network's core (school_code None)."""

    def __init__(self, network_code: str, school_code: str | None):
        super().__init__(network_code=network_code, school_code=school_code)


class PracticeRef(Resource):
    """A good practice: of a school when a dirigente drafted it, else the network's (school_code None)."""

    def __init__(self, network_code: str | None, school_code: str | None, published: bool = False, *,
                 reachable: bool = True):
        super().__init__(network_code=network_code, school_code=school_code, published=published,
                         reachable=reachable)


class ProposalRef(Resource):
    """A proposal to the network's core, made by a school (its dirigente, the author)."""

    def __init__(self, network_code: str, school_code: str | None, author: str | None = None, *,
                 reachable: bool = True):
        super().__init__(network_code=network_code, school_code=school_code, author=author, reachable=reachable)


def _within(actor: Actor, scope: Scope, r: Resource) -> bool:
    in_network = r.network_code is not None and r.network_code == actor.network_code
    return {
        Scope.ALL: True,
        Scope.REGION: True,
        Scope.OWN_NETWORK: in_network,
        Scope.NETWORK_CORE: in_network and r.school_code is None,
        Scope.OWN_SCHOOL: (r.school_code is not None and r.school_code == actor.school_code
                           and r.network_code in (None, actor.network_code)),
        Scope.OTHER_SCHOOL: in_network and r.school_code != actor.school_code,
        Scope.PUBLISHED: r.published,
        Scope.AUTHOR: r.author is not None and r.author == actor.username,
    }[scope]


def scopes(actor: Actor, action: Action | str) -> frozenset[Scope]:
    """The actor's scopes for an action (empty: never): its role's cell of the table."""
    return TABLE[Action(action)][CLI if actor.is_system else actor.role]


def allowed(actor: Actor, action: Action | str, resource: Resource | None = None) -> bool:
    """May the actor do `action` on `resource`? Without a resource: may it do it anywhere (the page-level
    question: is the page in the actor's navigation)."""
    cell = scopes(actor, action)
    if resource is None:
        return bool(cell)
    return resource.reachable and any(_within(actor, scope, resource) for scope in cell)


def require(actor: Actor, action: Action | str, resource: Resource | None = None, message: str | None = None) -> None:
    """`allowed`, or PermissionDenied with an Italian message (the caller's, else the action's)."""
    if not allowed(actor, action, resource):
        text = message or _REFUSALS.get(Action(action))
        raise PermissionDenied(text) if text else PermissionDenied()


# --- what is not yes or no -------------------------------------------------------------------------------


def school_scope(actor: Actor) -> tuple[str, str | None]:
    """How far the actor sees schools, for the queries that list them: ('all', None), ('network', code) or
    ('school', code): the see_school cell of the table."""
    cell = scopes(actor, Action.SEE_SCHOOL)
    if cell & {ALL, REGION}:
        return ("all", None)
    if NETWORK in cell:
        return ("network", actor.network_code)
    return ("school", actor.school_code)


def network_figures_view(actor: Actor, network_code: str) -> str:
    """How much of a network's figures the actor sees (docs/design.md, "network figures").

    'schools': every school's row and the network's totals (admin, the network's coordinator);
    'network': the network's totals and the own school's row (dirigente);
    'school': the own school's row only (funzione strumentale). Teachers see none.
    'region': the network's totals only, no school's row (the regional partners, for every network).
    """
    if actor.role is Role.REGIONE:
        return "region"
    require(actor, Action.VIEW_NETWORK_FIGURES, NetworkRef(network_code))
    if actor.role is Role.ADMIN:
        return "schools"
    return {Role.COORDINATORE_RETE: "schools", Role.DIRIGENTE: "network",
            Role.FUNZIONE_STRUMENTALE: "school"}[actor.role]


def draft_school(actor: Actor, school_code: str | None) -> str | None:
    """The school a new practice belongs to: a dirigente drafts for the own school, a coordinator for the network
    (None), an admin for the school named."""
    return actor.school_code if actor.role is Role.DIRIGENTE else school_code


def role_scope(role: Role | str) -> str | None:
    """Where an account of this role belongs: 'school' (its school's code), 'network' (its network's) or None."""
    role = Role(role)
    if role in SCHOOL_ROLES:
        return "school"
    return "network" if role is Role.COORDINATORE_RETE else None


def has_classes(role: Role | str) -> bool:
    """Accounts that are given classes (and see only those pupils): teachers."""
    return Role(role) is Role.DOCENTE


# --- the table as docs/design.md shows it -----------------------------------------------------------------

_COLUMNS = [*Role, CLI]


def role_table() -> str:
    """The role table in Markdown: one row per action, one column per role and the command line."""
    head = ["action", *(c.value if isinstance(c, Role) else "command line" for c in _COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for action, row in TABLE.items():
        cells = [", ".join(sorted(row[c])) or "—" for c in _COLUMNS]
        lines.append("| " + " | ".join([f"`{action.value}`", *cells]) + " |")
    return "\n".join(lines)
