"""An mlkit estimator inside scikit-learn's tooling: a Pipeline tuned by GridSearchCV.

mlkit's LogisticRegression is trained by mlkit's own engine and L-BFGS, yet it is a regular
scikit-learn estimator: it can be a pipeline step, be cloned and refitted by a grid search
in two worker processes, and report its standard errors when asked.

Run: python examples/sklearn_pipeline.py
"""

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlkit.estimators import LogisticRegression


def main():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)  # a DataFrame: names are kept
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    # Scaling, then mlkit's model; the grid names the step's parameter as usual.
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    pipeline.set_output(transform="pandas")  # the scaler passes the column names on
    search = GridSearchCV(pipeline, {"model__C": [0.01, 0.1, 1.0]}, cv=3, n_jobs=2)
    search.fit(X_train, y_train)
    print(f"best C: {search.best_params_['model__C']}, cross-validated accuracy "
          f"{search.best_score_:.3f}, test accuracy {search.score(X_test, y_test):.3f}")

    # Refit the best model with standard errors (from mlkit's exact Hessian) for a summary.
    best = search.best_estimator_.set_params(model__standard_errors=True).fit(X_train, y_train)
    table = best.named_steps["model"].summary()
    print(table.reindex(table["z"].abs().sort_values(ascending=False).index).head(5).round(3))
    return search.best_score_, search.score(X_test, y_test), table


if __name__ == "__main__":
    cv_accuracy, test_accuracy, table = main()
