"""Optimizers, learning-rate schedules and gradient clipping over parameter trees."""
