"""scikit-learn compatible estimators trained by mlkit."""
