"""The rules as the issue states them, written out independently of
``facilitator.domain.rules.RULES``: the matrix tests check the code against this."""

KINDS = ["welcome", "presentation", "circle", "exchange", "conclusions", "closing"]
ALL = set(KINDS)
DIALOGUE = {"exchange", "conclusions", "closing"}

# action -> role -> the step kinds in which it must succeed (everything else is refused)
EXPECTED = {
    "post": {"participant": {"circle"}},
    "share": {"participant": {"circle"}, "facilitator": {"circle", "exchange"}},
    "react": {"participant": {"exchange"}},
    "endorse": {"participant": {"conclusions"}},
    "conclude": {"facilitator": {"exchange", "conclusions"}},
    "lock": {"facilitator": ALL},
    "spotlight": {"facilitator": DIALOGUE},
    "spotlight_reason": {"facilitator": DIALOGUE},
    "hide": {"facilitator": ALL, "organiser": ALL},
    "screen": {"facilitator": ALL},
    "group": {"facilitator": ALL},
    "snapshot": {"facilitator": ALL, "organiser": ALL, "screen": ALL, "participant": ALL},
    "export": {"facilitator": ALL, "organiser": ALL},
    "edit": {"organiser": ALL},
    # the dialogue (issue 17)
    "ask": {"participant": {"circle", "exchange"}},
    "support": {"participant": {"circle", "exchange"}},
    "answer": {"participant": {"exchange"}},
    "support_answer": {"participant": {"exchange"}},
    "questions": {"facilitator": ALL, "organiser": ALL, "participant": {"circle"} | DIALOGUE},
    "spotlight_question": {"facilitator": DIALOGUE},
    "tables": {"facilitator": {"exchange", "conclusions"}},
    "harvest": {"participant": {"exchange", "conclusions"}},
    "share_harvest": {"facilitator": DIALOGUE},
}
