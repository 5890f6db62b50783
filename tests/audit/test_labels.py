"""How the audit trail and the subject-access page write stored values."""

from daycentre.audit.labels import describe_change, describe_value


def test_a_change_reads_old_to_new_with_labels(app):
    with app.test_request_context(headers={"Accept-Language": "ro"}):
        assert describe_change(["present", "absent_excused"], "attendances", "status") == (
            "Prezent → Absență motivată"
        )
        assert describe_change([None, "low_income,single_parent"], "families", "factor_list") == (
            "— → Venituri reduse, Familie monoparentală"
        )


def test_a_stored_pair_is_a_list_not_a_change(app):
    """A certificate with two activity lines is two lines, not an old and a new value."""
    lines = [["2026-01-02", "Ajutor", "2.5"], ["2026-01-03", "Joc", "3"]]
    with app.test_request_context():
        assert "→" not in describe_value(lines, "volunteer_certificates", "lines")


def test_the_part_of_a_case_that_was_read(app):
    with app.test_request_context(headers={"Accept-Language": "hu"}):
        assert describe_value("plan", "cases", "part") == "Szolgáltatási terv"
        assert describe_value("plan.pdf", "cases", "part") == "Szolgáltatási terv (PDF)"
