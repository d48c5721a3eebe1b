// The public surface of @lumen/sklearn-lite. Names follow scikit-learn in camelCase.

export type { SplitOptions } from '@lumen/data';
export { NotFittedError } from './base/errors.js';
export type { RandomState } from './base/estimator.js';
export { BaseEstimator } from './base/estimator.js';
export type { LabelsLike, MatrixLike, TensorConvertible, VectorLike } from './base/input.js';
export type { KMeansOptions } from './cluster/kmeans.js';
export { KMeans } from './cluster/kmeans.js';
export type { Dataset } from './datasets/loaders.js';
export { loadDigits, loadIris } from './datasets/loaders.js';
export type {
  MakeBlobsOptions,
  MakeClassificationOptions,
  MakeRegressionOptions,
  Samples,
} from './datasets/samples.js';
export { makeBlobs, makeClassification, makeMoons, makeRegression } from './datasets/samples.js';
export type { PCAOptions } from './decomposition/pca.js';
export { PCA } from './decomposition/pca.js';
export type { TruncatedSVDOptions } from './decomposition/truncatedSvd.js';
export { TruncatedSVD } from './decomposition/truncatedSvd.js';
export type { IsolationForestOptions } from './ensemble/isolationForest.js';
export { IsolationForest } from './ensemble/isolationForest.js';
export type {
  AnalyzerOptions,
  CountVectorizerOptions,
  HashingVectorizerOptions,
  RawDocuments,
  TfidfOptions,
  TfidfVectorizerOptions,
} from './feature_extraction/text.js';
export {
  CountVectorizer,
  HashingVectorizer,
  TfidfTransformer,
  TfidfVectorizer,
} from './feature_extraction/text.js';
export type { LinearRegressionOptions, RidgeOptions } from './linear_model/linear.js';
export { LinearRegression, Ridge } from './linear_model/linear.js';
export type { LogisticRegressionOptions } from './linear_model/logistic.js';
export { LogisticRegression } from './linear_model/logistic.js';
export { trustworthiness } from './manifold/trustworthiness.js';
export type { TSNEOptions, TSNEProgress } from './manifold/tsne.js';
export { TSNE } from './manifold/tsne.js';
export type { Average, Prf, PrfOptions, ZeroDivision } from './metrics/classification.js';
export {
  accuracyScore,
  confusionMatrix,
  f1Score,
  fbetaScore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
} from './metrics/classification.js';
export type { AverageMethod, HomogeneityCompleteness } from './metrics/clustering.js';
export {
  adjustedRandScore,
  completenessScore,
  fowlkesMallowsScore,
  homogeneityCompletenessVMeasure,
  homogeneityScore,
  mutualInfoScore,
  normalizedMutualInfoScore,
  randScore,
  vMeasureScore,
} from './metrics/clustering.js';
export { cosineSimilarity, euclideanDistances, linearKernel } from './metrics/pairwise.js';
export type { RocCurve } from './metrics/ranking.js';
export { rocAucScore, rocCurve } from './metrics/ranking.js';
export { meanAbsoluteError, meanSquaredError, r2Score } from './metrics/regression.js';
export type { ClassificationReportDict, ClassificationReportOptions, ReportRow } from './metrics/report.js';
export { classificationReport } from './metrics/report.js';
export { silhouetteScore } from './metrics/silhouette.js';
export type { TrainTestSplitInput } from './model_selection/split.js';
export { trainTestSplit } from './model_selection/split.js';
export type { CategoricalLike, OneHotEncoderOptions } from './preprocessing/encoders.js';
export { LabelEncoder, OneHotEncoder } from './preprocessing/encoders.js';
export type {
  MaxAbsScalerOptions,
  MinMaxScalerOptions,
  StandardScalerOptions,
} from './preprocessing/scalers.js';
export { MaxAbsScaler, MinMaxScaler, StandardScaler } from './preprocessing/scalers.js';
export type { CsrDtype, CsrOptions } from './sparse/csr.js';
export { CsrMatrix } from './sparse/csr.js';
