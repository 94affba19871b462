"""Writes batches.h5ad, the SAUCIE sample's input, with the anndata package (Debian's python3-anndata 0.8.0):
900 synthetic cells of 3 types measured in 3 batches, 20 genes. Each batch shifts every gene its own way and bends
the expression (tanh) by its own amount, so the batches separate cells of one type. obs: cell_type, batch
(categoricals). Run: /usr/bin/python3 make_batches_h5ad.py"""
import anndata
import numpy as np
import pandas as pd

rng = np.random.default_rng(2)
cells, genes = 900, 20
centres = 3 * rng.standard_normal((3, genes))
shifts = np.vstack([np.zeros(genes), 1.5 * rng.standard_normal((2, genes))])
types = np.arange(cells) % 3
batches = np.arange(cells) // 3 % 3
values = centres[types] + rng.standard_normal((cells, genes))
x = values + shifts[batches] + 0.8 * batches[:, None] * np.tanh(values)
obs = pd.DataFrame({
    "cell_type": pd.Categorical([f"type {t}" for t in types]),
    "batch": pd.Categorical([f"batch {b}" for b in batches]),
}, index=[f"cell{i}" for i in range(cells)])
var = pd.DataFrame(index=[f"gene{j}" for j in range(genes)])
anndata.AnnData(X=x.astype(np.float32), obs=obs, var=var).write_h5ad("batches.h5ad")
