"""The set-based ``released_ratings`` / ``competency_scores`` give what the per-row reader gave.

The reader was rewritten for the 10,000-person cycle (numpy arrays, the anonymity rule asked
once per pattern of group sizes). The old per-row implementation is kept here only, as the
reference: on randomised campaigns (withheld and released groups, external customers, self
ratings, unanswered questions, open and declined invitations, a subject that is not a person)
both must agree on every released rating and every person's competency score.
"""

import math
import random
from collections import defaultdict

import numpy as np
import pytest
from django.conf import settings
from django.db.models import Count, Q

from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import anonymity, leniency, selectors
from opsteam.surveys.choices import NAMED_RELATIONSHIPS, InvitationStatus, Relationship
from opsteam.surveys.models import Answer, Invitation, Subject
from opsteam.surveys.tests.factories import CampaignFactory

# --- the previous implementation, verbatim but for names (reference only) -------------------


def _old_normalise_leniency(raters, subjects, ratings, *, min_subjects):
    raters = np.asarray(raters, dtype=np.int64)
    subjects = np.asarray(subjects, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=float)
    if ratings.size == 0:
        return np.zeros(0)
    overall = float(ratings.mean())
    ids, inverse, counts = np.unique(raters, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=ratings) / counts
    pairs = np.unique(np.stack([inverse, subjects], axis=1), axis=0)
    subject_counts = np.bincount(pairs[:, 0], minlength=ids.size)
    qualifies = subject_counts >= min_subjects
    adjustment = np.where(qualifies, overall - means, 0.0)[inverse]
    return ratings + adjustment


def _old_submitted_counts(where):
    counts = defaultdict(dict)
    for row in (
        Invitation.objects.filter(where, status=InvitationStatus.SUBMITTED)
        .values("subject_id", "relationship")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["subject_id"]][row["relationship"]] = row["n"]
    return counts


def _old_campaign_ratings(campaign):
    ratings = list(
        Answer.objects.filter(
            invitation__subject__campaign=campaign,
            invitation__status=InvitationStatus.SUBMITTED,
            rating__isnull=False,
        )
        .values_list(
            "invitation_id",
            "invitation__rater_id",
            "invitation__subject_id",
            "invitation__relationship",
            "question_id",
            "rating",
        )
        .order_by()
    )
    others = [r for r in ratings if r[3] != Relationship.SELF]
    normalised_values = _old_normalise_leniency(
        np.array([r[1] if r[1] is not None else -r[0] for r in others], dtype=np.int64),
        np.array([r[2] for r in others], dtype=np.int64),
        np.array([r[5] for r in others], dtype=float),
        min_subjects=settings.OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS,
    )
    normalised = {(r[0], r[4]): float(v) for r, v in zip(others, normalised_values, strict=True)}
    return ratings, normalised


def _old_released_ratings(campaign):
    subjects = dict(campaign.subjects.values_list("pk", "staff_id"))
    counts = _old_submitted_counts(Q(subject__campaign=campaign))
    ratings, normalised = _old_campaign_ratings(campaign)
    released = {}
    for subject_id, group_counts in counts.items():
        release = anonymity.decide_release(
            [
                anonymity.GroupCount(rel, n, named=rel in NAMED_RELATIONSHIPS)
                for rel, n in group_counts.items()
            ],
            threshold=campaign.anonymity_threshold,
        )
        released[subject_id] = release.released
    result = defaultdict(list)
    for invitation_id, _rater, subject_id, relationship, question_id, rating in ratings:
        if relationship == Relationship.SELF or relationship not in released.get(subject_id, ()):
            continue
        value = normalised.get((invitation_id, question_id), float(rating))
        result[subjects[subject_id]].append((question_id, value))
    return result


def _old_competency_scores(campaign):
    return {
        staff_id: sum(value for _q, value in values) / len(values)
        for staff_id, values in _old_released_ratings(campaign).items()
        if values
    }


# --- randomised campaigns --------------------------------------------------------------------

ANONYMOUS = [
    Relationship.DOTTED_LINE,
    Relationship.PEER,
    Relationship.DIRECT_REPORT,
    Relationship.INTERNAL_CUSTOMER,
]
STATUSES = [InvitationStatus.SUBMITTED] * 6 + [InvitationStatus.OPEN, InvitationStatus.DECLINED]


def _random_campaign(seed: int, org_tree, *, threshold: int):
    rng = random.Random(seed)
    campaign = CampaignFactory(anonymity_threshold=threshold)
    questions = [q for q in campaign.questionnaire.questions.all() if q.is_rating]
    comment = next(q for q in campaign.questionnaire.questions.all() if not q.is_rating)
    people = [StaffFactory(unit=org_tree.t1) for _ in range(24)]
    subjects = [Subject.objects.create(campaign=campaign, staff=person) for person in people[:16]]
    subjects.append(Subject.objects.create(campaign=campaign, topic="Session A"))
    invitations = []
    for subject in subjects:
        if subject.staff_id and rng.random() < 0.8:
            invitations.append((subject, Relationship.SELF, subject.staff, rng.choice(STATUSES)))
        # One invitation per rater and subject: the manager first, then anonymous raters.
        others = rng.sample([p for p in people if p.pk != subject.staff_id], 15)
        if rng.random() < 0.9:
            invitations.append((subject, Relationship.MANAGER, others[0], rng.choice(STATUSES)))
        for rater in others[1 : 1 + rng.randint(0, 14)]:
            invitations.append(
                (subject, rng.choice(ANONYMOUS), rater, rng.choice(STATUSES)),
            )
        for _ in range(rng.randint(0, 4)):
            invitations.append(
                (subject, Relationship.EXTERNAL_CUSTOMER, None, rng.choice(STATUSES)),
            )
    created = Invitation.objects.bulk_create(
        [
            Invitation(
                subject=subject,
                relationship=relationship,
                rater=rater,
                external_name="" if rater else "Customer",
                status=status,
            )
            for subject, relationship, rater, status in invitations
        ]
    )
    answers = []
    for invitation in created:
        if invitation.status == InvitationStatus.OPEN and rng.random() < 0.5:
            continue  # a draft answers too, but does not count
        # A lenient or strict rater: their ratings lean one way.
        lean = rng.choice([-1, 0, 0, 1])
        for question in questions:
            skipped = rng.random() < 0.1
            rating = None if skipped else min(5, max(1, rng.randint(1, 5) + lean))
            answers.append(Answer(invitation=invitation, question=question, rating=rating))
        if rng.random() < 0.3:
            answers.append(Answer(invitation=invitation, question=comment, comment="Noted."))
    Answer.objects.bulk_create(answers)
    return campaign


@pytest.mark.parametrize(("seed", "threshold"), [(1, 3), (2, 3), (3, 4), (4, 5), (5, 3)])
def test_released_ratings_and_scores_match_the_per_row_reader(seed, threshold, org_tree):
    campaign = _random_campaign(seed, org_tree, threshold=threshold)

    old = _old_released_ratings(campaign)
    new = selectors.released_ratings(campaign)

    assert set(new) == set(old)
    assert sum(len(v) for v in new.values()) > 0
    for staff_id, values in old.items():
        assert sorted(new[staff_id]) == sorted(values), staff_id  # same floats, exactly
    old_scores = _old_competency_scores(campaign)
    new_scores = selectors.competency_scores(campaign)
    assert set(new_scores) == set(old_scores)
    for staff_id, score in old_scores.items():
        # Only the order of summation differs.
        assert math.isclose(new_scores[staff_id], score, rel_tol=1e-12), staff_id


def test_withheld_groups_and_self_never_reach_the_released_ratings(org_tree):
    campaign = _random_campaign(7, org_tree, threshold=3)
    counts = _old_submitted_counts(Q(subject__campaign=campaign))
    ratings = selectors._campaign_ratings(campaign)
    assert not ratings.released.all()  # the scenario has withheld groups
    assert (ratings.normalised != ratings.raw).any()  # and raters whose leniency is corrected
    order = selectors.RELATIONSHIP_ORDER
    for subject_id, relationship, released in zip(
        ratings.subject.tolist(),
        ratings.relationship.tolist(),
        ratings.released.tolist(),
        strict=True,
    ):
        group = order[relationship]
        n = counts[subject_id][group]
        if group in NAMED_RELATIONSHIPS:
            assert released
        else:
            assert released == (n >= 3)
    staff_of = dict(campaign.subjects.values_list("pk", "staff_id"))
    released_questions = selectors.released_ratings(campaign)
    expected = defaultdict(int)
    for subject_id, relationship, released in zip(
        ratings.subject.tolist(),
        ratings.relationship.tolist(),
        ratings.released.tolist(),
        strict=True,
    ):
        if released and order[relationship] != Relationship.SELF:
            expected[staff_of[subject_id]] += 1
    assert {k: len(v) for k, v in released_questions.items()} == dict(expected)


def test_a_campaign_without_answers_releases_nothing(org_tree):
    campaign = CampaignFactory()
    Subject.objects.create(campaign=campaign, staff=StaffFactory(unit=org_tree.t1))
    assert selectors.released_ratings(campaign) == {}
    assert selectors.competency_scores(campaign) == {}


@pytest.mark.parametrize("seed", range(20))
def test_leniency_pairs_count_as_the_row_pair_unique_did(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    raters = rng.integers(-50, 60, n)  # negative: external customers keyed by invitation
    subjects = rng.integers(1, 10**9, n) if seed % 2 else rng.integers(1, 30, n)
    ratings = rng.integers(1, 6, n).astype(float)
    for min_subjects in (1, 2, 3, 5):
        new = leniency.normalise_leniency(raters, subjects, ratings, min_subjects=min_subjects)
        old = _old_normalise_leniency(raters, subjects, ratings, min_subjects=min_subjects)
        assert np.array_equal(new.normalised, old)
