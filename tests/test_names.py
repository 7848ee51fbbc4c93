import pytest

from kerasrecipes import regularizers
from kerasrecipes._names import split_value
from kerasrecipes._names import unknown_name_error


def test_suggestions_ignore_the_value_part():
    error = unknown_name_error("regularizer", "l3:1e-4", ["l1", "l2", "l1_l2"])
    assert "Did you mean 'l2' or 'l1'" in str(error) or "Did you mean 'l1' or 'l2'" in str(error)
    assert str(error).endswith("Received: regularizer='l3:1e-4'")
    with pytest.raises(ValueError, match="Did you mean"):
        regularizers.get("l3:1e-4")


def test_split_value():
    assert split_value("l2:5e-4") == ("l2", 5e-4)
    assert split_value("max_norm") == ("max_norm", None)
    with pytest.raises(ValueError, match=r"must be a number, as in 'l2:5e-4'. Received: 'x'"):
        split_value("l2:x")
