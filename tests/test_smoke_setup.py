from qadam.cases.models import Case


def test_personas_and_case(case, other_case):
    assert case.number.startswith("AST-")
    assert Case.objects.count() == 2
