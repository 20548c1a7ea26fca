"""examples/sklearn_pipeline.py runs and tunes a good model."""

import importlib.util
import pathlib

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sklearn_pipeline.py"


def test_sklearn_pipeline_example():
    spec = importlib.util.spec_from_file_location("sklearn_pipeline_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cv_accuracy, test_accuracy, table = module.main()
    assert cv_accuracy > 0.95 and test_accuracy > 0.93
    assert table.index[0] == "mean radius" and table.index[-1] == "intercept"
    assert (table["std_err"] > 0).all()
