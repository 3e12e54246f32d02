"""A synthetic loan-decision dataset for the demo and for trying the engine from a notebook:
seeded, 50k rows, realistic imbalance and a built-in disparity, so an audit has something
to find. Pure numpy/pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_loans(n: int = 50_000, seed: int = 20261125) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.choice(["18-25", "26-40", "41-60", "61+"], n, p=[0.14, 0.38, 0.33, 0.15])
    sex = rng.choice(["female", "male"], n, p=[0.47, 0.53])
    race = rng.choice(
        ["White", "Black", "Hispanic", "Asian", "Other"], n, p=[0.60, 0.13, 0.17, 0.07, 0.03]
    )
    income = rng.lognormal(10.8, 0.5, n)
    history_years = np.clip(rng.normal(12, 8, n) - (age == "18-25") * 8, 0, None)
    # Truth: would the applicant repay?
    logit_repay = 0.9 + 0.35 * np.log(income / 50_000) + 0.05 * history_years
    repaid = rng.random(n) < 1 / (1 + np.exp(-logit_repay))
    # The model: a probability-of-repayment score that under-rates thin files and, through a
    # postcode proxy, Black and Hispanic applicants.
    proxy = np.where(np.isin(race, ["Black", "Hispanic"]), -0.45, 0.0)
    thin_file = np.where(age == "18-25", -0.35, 0.0)
    logit_score = logit_repay + proxy + thin_file + rng.normal(0, 0.6, n)
    score = np.round(1 / (1 + np.exp(-logit_score)), 4)
    frame = pd.DataFrame(
        {
            "applicant_id": np.arange(1, n + 1),
            "age_band": age,
            "sex": sex,
            "race_ethnicity": race,
            "repaid": repaid.astype(int),
            "score": score,
        }
    )
    frame["approved"] = (frame["score"] >= 0.7).astype(int)
    # A few applicants did not state their race/ethnicity.
    frame.loc[rng.random(n) < 0.01, "race_ethnicity"] = None
    return frame
