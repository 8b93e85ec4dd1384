"""A believable demo organisation: supervisors, peer workers and up to three years of history.

The story is simulated week by week through the application service, with the domain clock set
to each moment, so events carry believable timestamps and every rule of the domain applies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from uuid import UUID

from tqdm import tqdm

from portfolio.application import PortfolioApplication
from portfolio.domain import clock
from portfolio.domain.errors import DomainError
from portfolio.domain.values import LEVELS

ORGANISATION = "Riverside Peer Support Network"
SUPERVISORS = [("maria.santos", "Maria Santos"), ("david.okafor", "David Okafor"), ("helen.brook", "Helen Brook"),
               ("tomas.novak", "Tomas Novak"), ("grace.liu", "Grace Liu")]
WORKERS = ["Amira Haddad", "Ben Carter", "Chloe Evans", "Daniel Kowalski", "Esther Mensah", "Farid Rahman",
           "Gemma Walsh", "Hugo Petit", "Isla MacLeod", "Jamal Wright", "Kasia Nowak", "Liam O'Neill",
           "Maya Patel", "Noah Fischer", "Olivia Byrne", "Priya Sharma", "Quinn Taylor", "Rosa Moreno",
           "Sami Virtanen", "Tara Doyle", "Umar Siddiqui", "Vera Horvat", "Will Jones", "Yara Costa", "Zoe Adams"]
COMPETENCES = ["REL-1", "REL-2", "REL-3", "GOAL-1", "GOAL-2", "GOAL-3", "GOAL-4", "PRAC-1", "PRAC-2", "PRAC-3",
               "PRAC-4"]
TRAININGS = [  # (title, provider, elements, accredited by or "")
    ("Recovery and hope in peer support", "Riverside Recovery College", ["TE-1", "TE-11"], "Ulm University"),
    ("Supportive communication and active listening", "Riverside Recovery College", ["TE-5", "TE-3"],
     "Ulm University"),
    ("Using lived experience safely", "Peer Network Training Hub", ["TE-4", "TE-7"], "City College"),
    ("Stigma, language and rights", "Peer Network Training Hub", ["TE-9", "TE-13"], "City College"),
    ("Family and community: inclusion and support", "Riverside Recovery College", ["TE-2"], "Ulm University"),
    ("Facilitating peer groups", "Community Mental Health Trust", ["TE-8"], ""),
    ("Wellbeing and boundaries for peer workers", "Community Mental Health Trust", ["TE-12", "TE-7"], ""),
    ("Recovery planning with GROW", "Riverside Recovery College", ["TE-14", "TE-1"], "Ulm University"),
    ("Assessment in peer practice (advanced)", "Peer Network Training Hub", ["TE-6"], "City College"),
    ("Peer work in the workplace (advanced)", "Community Mental Health Trust", ["TE-10"], ""),
    ("Psychoeducation for peer workers (advanced)", "Riverside Recovery College", ["TE-15"], "Ulm University"),
]
# The demo's own locally registered course (fictional, like the organisation); the HEE/NCCMH programme
# comes from `portfolio init`. (code, title, hours, Tuto3 elements); F4 runs over 4 hours, so it is flagged.
LOCAL_COURSE = ("Peer support foundation course", "Riverside Recovery College", [
    ("F1", "Recovery and hope", 3, ["TE-1", "TE-11"]), ("F2", "Supportive communication", 3, ["TE-5", "TE-3"]),
    ("F3", "Using lived experience safely", 4, ["TE-4", "TE-7"]), ("F4", "Assessment in practice", 6, ["TE-6"])])
LOCAL_ACCREDITOR = "Riverside College of Further Education"
TOPICS = ["boundaries", "power imbalance", "stress", "peer drift", "sharing lived experience", "self-care",
          "goal setting", "group facilitation", "confidentiality", "local resources"]
GROW = [
    {"G": "I want to feel more confident sharing my recovery story in groups, within three months.",
     "R": "I share easily one-to-one but hold back in groups; I worry about saying too much.",
     "O": "Practise with my supervisor; co-facilitate with an experienced peer; plan what I will share.",
     "W": "Co-facilitate the Thursday group twice this month. Commitment 8 out of 10."},
    {"G": "Help the people I work with keep their own goals in view between sessions.",
     "R": "Goals drift when sessions are irregular; I have sometimes suggested goals instead of listening.",
     "O": "Use the GROW questions together; write goals in the person's own words; review each month.",
     "W": "Try the GROW sheet with two people this week and ask what suited them. Commitment 7."},
    {"G": "Know the local services well enough to link people to what they ask for.",
     "R": "My list of community resources is out of date and I rely on colleagues.",
     "O": "Visit two services a month; update the shared resource list; ask peers what helped them.",
     "W": "Visit the housing advice drop-in and the walking group before the end of the month. Commitment 9."},
]
FREE = [
    "After today's group I noticed how much easier it was to listen than to fix. Acceptance, genuineness "
    "and empathy: I want to keep practising being non-judgmental when I disagree.",
    "A difficult week. I looked after myself by keeping my own boundaries and talked it through in "
    "supervision. Recognising when to share experiences and when to listen is still my main learning.",
    "I used my own story briefly today and it helped someone feel less alone. I checked afterwards that "
    "it was helpful and not about me.",
    "Thinking about peer drift: I caught myself telling someone what they should do. Next time I will ask "
    "what options they see first.",
]
CYCLE = {"PLANNING": "Plan to try a check-in round at the start of the group.",
         "DOING": "Ran the check-in with six people; two chose to pass, which was fine.",
         "CONCLUDING": "Giving choice made the room feel safer; people spoke more later on.",
         "REFLECTING": "I felt nervous leading it, but it matched our peer values of choice and equality."}
EVIDENCE = {
    "Basic": ("Notes on {c}: what I have learned", "reflection",
              "Summary of training and reading on this competence, with what I now can describe."),
    "Intermediate": ("Practice record for {c}", "work_product",
                     "Examples from my practice over the last months, without details of the people I support."),
    "Advanced": ("Supporting peer staff on {c}", "observation",
                 "How I have supported the peer team on this, with my supervisor's observation."),
    "Leader": ("Organisational work on {c}", "work_product",
               "Policy and organisational changes I led on this, with outcomes."),
}
FEEDBACK = ["Thank you. Please add a concrete example from your own practice before I can sign this off.",
            "Good start. The evidence describes training, but not yet how you have applied it; add one example.",
            "Please link a reflection showing what you learned, then ask again."]
ACTIONS = ["Co-facilitate the next group session.", "Update the local resources list.",
           "Book the advanced training on psychoeducation.", "Practise the GROW questions in two sessions.",
           "Take the agreed day off after the busy week."]
NOTES = ["Talked through a boundary question and how it felt; agreed a plan.",
         "Reviewed progress on goals; good progress with group work.",
         "Discussed stress levels and self-care; checked workload.",
         "Looked at peer drift: listening first rather than advising."]
GOALS = ["Complete the basic training programme and the Essential competences.",
         "Co-facilitate a peer group on my own by the end of the year.",
         "Build confidence in sharing my recovery story safely.",
         "Mentor a newly recruited peer worker."]


@dataclass
class Worker:
    id: UUID
    joined: date
    induction_days: int
    supervisor: UUID
    ladder: list[tuple[str, str]]
    step: int = 0
    pending: tuple[UUID, str, date] | None = None  # request id, competence, decide on
    returned: bool = False
    next_supervision: date = date.min
    next_training: date = date.min
    trainings_done: int = 0
    trainings: list[UUID] = field(default_factory=list)
    goals: list[UUID] = field(default_factory=list)
    reflections: list[UUID] = field(default_factory=list)
    approved: list[UUID] = field(default_factory=list)
    sessions_done: int = 0


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=timezone.utc)


class DemoBuilder:
    def __init__(self, app: PortfolioApplication, workers: int, supervisors: int, years: int, seed: int):
        self.app, self.rng = app, random.Random(seed)
        self.n_workers, self.n_supervisors = workers, supervisors
        self.today = clock.today()
        self.start = self.today - timedelta(days=365 * years)
        self.workers: list[Worker] = []
        self.supervisors: list[UUID] = []
        self.admin: UUID | None = None
        self.decisions = {"approved": 0, "returned": 0, "withdrawn": 0, "revoked": 0}
        self.last = datetime.combine(self.start, time.min, tzinfo=timezone.utc)
        self.sessions: list[tuple[UUID, str]] = []  # registered sessions, in the order workers attend them

    def at(self, day: date):
        """A moment on that day, never before the previous one: history only moves forward."""
        self.last = max(_moment(day, self.rng), self.last + timedelta(seconds=1))
        return clock.frozen_at(self.last)

    def quietly_at(self, day: date):
        """Like `at`, without drawing from the story's random numbers (the rest of the story stays as it was)."""
        self.last = max(datetime.combine(day, time(8), tzinfo=timezone.utc), self.last + timedelta(seconds=1))
        return clock.frozen_at(self.last)

    def register(self) -> None:
        """The local course, accredited for its first two years; then every worker attends its sessions and
        the HEE/NCCMH programme's, one a fortnight."""
        from portfolio.domain.programmes import Programme

        title, provider, sessions = LOCAL_COURSE
        with self.quietly_at(self.start):
            pid = self.app.register_programme(self.admin, title, provider, "The demo organisation's own course.",
                                              "Lived experience of mental health crisis and of recovery.")
            for code, name, hours, elements in sessions:
                self.app.add_programme_session(pid, self.admin, code, name, hours, [], elements)
            self.app.record_accreditation(pid, self.admin, LOCAL_ACCREDITOR, self.start,
                                          self.start + timedelta(days=730))
        hee = Programme.builtin_id("hee-programme")
        self.sessions = [(pid, s[0]) for s in sessions] + [(hee, code) for code in self.app.programme(hee).sessions]

    def attend(self, w: Worker, day: date) -> None:
        tenure = (day - w.joined).days
        if tenure >= 14 and (tenure // 7) % 2 == 0 and w.sessions_done < len(self.sessions):
            programme_id, code = self.sessions[w.sessions_done]
            with self.quietly_at(day):
                self.app.record_attendance(w.id, programme_id, code, day)
            w.sessions_done += 1

    def people(self) -> None:
        with self.at(self.start):
            self.admin = self.app.register_person("admin", "Alex Morgan", ["org_admin"], self.start)
            self.app.register_person("auditor", "Robin Hale", ["auditor"], self.start)
            for username, name in (SUPERVISORS * 10)[: self.n_supervisors]:
                if len(self.supervisors) >= len(SUPERVISORS):
                    username, name = f"{username}{len(self.supervisors)}", f"{name} {len(self.supervisors)}"
                self.supervisors.append(self.app.register_person(username, name, ["supervisor"], self.start))

    def join(self, n: int, day: date) -> Worker:
        name = WORKERS[n % len(WORKERS)] + ("" if n < len(WORKERS) else f" {n // len(WORKERS) + 1}")
        username = name.lower().replace(" ", ".").replace("'", "")
        with self.at(day):
            wid = self.app.register_person(username, name, ["peer_worker"], day)
            position = "organisational_leader" if n == 0 else "peer_worker"
            self.app.start_position(wid, position, day, 90)
            supervisor = self.supervisors[n % len(self.supervisors)]
            self.app.assign_supervisor(wid, supervisor, day)
        top = 4 if n == 0 else 3 if n in (1, 2) else 2
        ladder = [(c, lv) for lv in LEVELS[:top] for c in COMPETENCES]
        w = Worker(id=wid, joined=day, induction_days=90, supervisor=supervisor, ladder=ladder,
                   next_supervision=day + timedelta(days=14), next_training=day + timedelta(days=3))
        with self.at(day):
            for text in self.rng.sample(GOALS, 2):
                w.goals.append(self.app.set_goal(wid, text, [], day + timedelta(days=180)))
            if n % 2 == 0:  # some workers share their first goal with their supervisor (no draw: same demo)
                self.app.change_exposure(wid, "goal", w.goals[0], "supervisors")
        return w

    def week(self, w: Worker, day: date, n: int) -> None:
        rng, app = self.rng, self.app
        tenure = (day - w.joined).days
        if n in (1, 2) and tenure == 7 * 78:  # promoted to team leader after 18 months
            with self.at(day):
                app.start_position(w.id, "team_leader" if n == 1 else "line_manager", day, 0)
        if n % 6 == 3 and tenure == 7 * 60:  # some supervisees change supervisor
            new = self.supervisors[(self.supervisors.index(w.supervisor) + 1) % len(self.supervisors)]
            with self.at(day):
                app.end_supervision(w.id, w.supervisor, day - timedelta(days=1))
                app.assign_supervisor(w.id, new, day)
            w.supervisor = new
        if day >= w.next_supervision:
            with self.at(day):
                app.record_supervision(w.id, w.supervisor, day, rng.choice(["task", "process"]),
                                       rng.choice(["one_to_one"] * 4 + ["group"]),
                                       rng.choice(["in_person", "in_person", "video", "phone"]),
                                       rng.choice([45, 60, 60, 90]), rng.sample(TOPICS, 2),
                                       rng.choice(ACTIONS), rng.choice(NOTES))
            w.next_supervision = day + timedelta(days=rng.choice([21, 28, 28, 35]))
        if day >= w.next_training and w.trainings_done < len(TRAININGS):
            title, provider, elements, accredited_by = TRAININGS[w.trainings_done]
            with self.at(day):
                tid, _ = app.record_training(w.id, title, provider, day, rng.choice([3, 3.5, 4, 4, 6]),
                                    rng.choice(["face_to_face", "face_to_face", "online"]), elements,
                                    bool(accredited_by), accredited_by,
                                    {"RELEVANCE": rng.randint(3, 5), "SAFETY": rng.randint(3, 5),
                                     "OVERALL": rng.randint(3, 5)})
            w.trainings.append(tid)
            w.trainings_done += 1
            w.next_training = day + timedelta(days=14 if w.trainings_done < 8 else 120)
        if rng.random() < 0.3:
            self.reflect(w, day)
        if w.goals and rng.random() < 0.04:
            goal = w.goals.pop(0)
            with self.at(day):
                app.review_goal(w.id, goal, rng.choice(["achieved", "open"]), rng.randint(6, 10),
                                "Progress reviewed in supervision.")
        if tenure >= w.induction_days:
            self.sign_off(w, day)

    def reflect(self, w: Worker, day: date) -> None:
        rng, app = self.rng, self.app
        kind = rng.choice(["grow", "free", "free", "learning_cycle"])
        body = rng.choice(GROW) if kind == "grow" else CYCLE if kind == "learning_cycle" else rng.choice(FREE)
        title = {"grow": "GROW: working on a goal", "free": "Reflection after a session",
                 "learning_cycle": "Learning cycle: trying a check-in round"}[kind]
        with self.at(day):
            rid = app.write_reflection(w.id, kind, title, body, rng.sample(COMPETENCES, 1))
            if rng.random() < 0.4:  # sharing is the worker's explicit choice
                app.change_exposure(w.id, "reflection", rid, "supervisors")
            if rng.random() < 0.1:  # amending keeps the first version in history
                app.amend_reflection(w.id, rid, title + " (revisited)", body, rng.sample(COMPETENCES, 2))
        w.reflections.append(rid)

    def sign_off(self, w: Worker, day: date) -> None:
        rng, app = self.rng, self.app
        if w.pending:
            request_id, competence, decide_on = w.pending
            if day < decide_on:
                return
            with self.at(day):
                if rng.random() < 0.05:
                    app.withdraw_sign_off(w.id, request_id)
                    self.decisions["withdrawn"] += 1
                elif w.returned or rng.random() < 0.8:
                    app.approve_sign_off(w.id, request_id, w.supervisor)
                    self.decisions["approved"] += 1
                    w.approved.append(request_id)
                    w.step += 1
                    w.returned = False
                else:
                    app.return_sign_off(w.id, request_id, w.supervisor, rng.choice(FEEDBACK))
                    self.decisions["returned"] += 1
                    w.returned = True
            w.pending = None
            return
        if w.step >= len(w.ladder) or rng.random() > 0.35:
            return
        competence, level = w.ladder[w.step]
        title, kind, description = EVIDENCE[level]
        links = []
        if level == "Basic" and w.trainings:  # the training behind a Basic claim is evidence too
            kind, links = "training_record", [rng.choice(w.trainings)]
        with self.at(day):
            eid = app.add_evidence(w.id, title.format(c=competence), kind, description, [(competence, level)],
                                   links=links)
            request_id = app.request_sign_off(w.id, competence, level, [eid])
        w.pending = (request_id, competence, day + timedelta(days=rng.choice([7, 10, 14, 21])))

    def self_assessment(self, revisit: bool) -> None:
        """The admin fills in the organisation's self-assessment (004:942-1012), then revisits it."""
        self.last += timedelta(seconds=1)  # the moment after the last event: no draw on the story's dice
        first = {"TIMING": "partly", "POWER": "not-started", "COMPENSATION": "mostly", "NUMBERS": "partly",
                 "WELLNESS": "not-started", "INVESTMENT": "partly", "CULTURE": "partly"}
        later = dict(first, POWER="partly", WELLNESS="mostly", NUMBERS="mostly")
        notes = {"POWER": "Peers advise the steering group; none of them chairs it yet.",
                 "WELLNESS": "No plan yet for burn-out in peer roles."}
        if revisit:
            notes = {"POWER": "A peer now co-chairs the steering group.",
                     "WELLNESS": "Wellness check-ins at the start of each new position."}
        with clock.frozen_at(self.last):
            self.app.complete_self_assessment(self.admin, later if revisit else first, notes)

    def run(self) -> str:
        self.people()
        self.register()
        joins = sorted(self.start + timedelta(days=int(self.rng.random() * 365 * 2.5) if n else 0)
                       for n in range(self.n_workers))
        weeks = list(range(0, (self.today - self.start).days, 7))  # up to yesterday: no future events
        for offset in tqdm(weeks, desc="Simulating weeks", unit="week", disable=None):
            day = self.start + timedelta(days=offset)
            while joins and joins[0] <= day:
                joins.pop(0)
                self.workers.append(self.join(len(self.workers), day))
            if offset in (28, 182):  # four weeks in, and again six months later
                self.self_assessment(revisit=offset == 182)
            for n, w in enumerate(self.workers):
                try:
                    self.week(w, day, n)
                    self.attend(w, day)
                except DomainError as exc:  # a rule said no: that is part of the story, not a crash
                    raise RuntimeError(f"demo story broke a rule on {day}: {exc}") from exc
        # One sign-off revoked by the admin, so the audit has something to show.
        first = next((w for w in self.workers if w.approved), None)
        if first:
            self.app.revoke_sign_off(first.id, first.approved[-1], self.admin,
                                     "Evidence was found to describe another team's practice; please resubmit.")
            self.decisions["revoked"] += 1
        events = self.app.recorder.max_notification_id() or 0
        return (f"Demo organisation '{ORGANISATION}': {self.n_supervisors} supervisors, {len(self.workers)} peer "
                f"workers, an admin and an auditor; {events} events from {self.start} to {self.today}. "
                f"Sign-offs: {self.decisions['approved']} approved, {self.decisions['returned']} returned, "
                f"{self.decisions['withdrawn']} withdrawn, {self.decisions['revoked']} revoked; "
                f"{sum(1 for w in self.workers if w.pending)} requests open.")


DEMO_PASSWORD = "peer-support-demo"


def demo_logins(app: PortfolioApplication) -> str:
    """Give every demo account the demo password and say how to log in as each role."""
    from portfolio.passwords import hash_password

    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: the demo is not for real people
    people = app.people()
    for person in people:
        app.set_password_hash(person.id, password_hash)
    first = {role: next((p.username for p in people if p.has_role(role)), None)
             for role in ("peer_worker", "supervisor", "org_admin", "auditor")}
    return ("Log in at http://127.0.0.1:5000/login with password '" + DEMO_PASSWORD + "' as: "
            + "; ".join(f"{role.replace('_', ' ')} {name}" for role, name in first.items() if name)
            + " (every demo account has that password).")


def build_demo(app: PortfolioApplication, workers: int = 20, supervisors: int = 3, years: int = 3,
               seed: int = 7) -> str:
    with app.keys.scope():  # one batch: look each person's key up once, not on every sealed text
        return DemoBuilder(app, workers, supervisors, years, seed).run()
