"""The evaluation report on disk: JSON numbers and PNG figures, for `Recipe.report()` and
`kerasrecipes evaluate`.

Files written into the report folder:

| file | content |
| --- | --- |
| `report.json` | accuracy, per-class precision/recall/F1/support, macro averages, the confusion matrix, the most confident mistakes |
| `confusion_matrix.json` | the class names and the matrix (rows true, columns predicted) |
| `confusion_matrix.png` | the matrix as a heat map |
| `mistakes.png` | the most confident mistakes with their true and predicted class names |
"""

import os

from kerasrecipes._files import write_atomically
from kerasrecipes._files import write_json_atomically
from kerasrecipes.plots import evaluation as evaluation_plots
from kerasrecipes.training.evaluation import evaluation_report


def _write_json(data, path):
    return write_json_atomically(data, path, indent=1)


def _write_png(draw, path, *args):
    return write_atomically(path, lambda staging: draw(*args, staging), suffix=".png")


def write_report(probabilities, labels, images, class_names, directory, mistakes=16):
    """Computes the evaluation report and writes its JSON and PNG files into `directory`.

    Args:
        probabilities: array `(N, classes)`, the model's class probabilities.
        labels: integer labels `(N,)`.
        images: the evaluated images `(N, H, W, C)` (for the mistakes grid).
        class_names: list of str.
        directory: str, the report folder (created if needed).
        mistakes: int, how many confident mistakes to list and draw. Defaults to 16.

    Returns:
        `(report, paths)`: the report dict (see
        `kerasrecipes.training.evaluation.evaluation_report`) and the list of files
        written.

    Example:

    >>> report, paths = write_report(model.predict(x_test), y_test, x_test, names, "eval")
    """
    report = evaluation_report(probabilities, labels, class_names, mistakes=mistakes)
    os.makedirs(directory, exist_ok=True)
    paths = [
        _write_json(report, os.path.join(directory, "report.json")),
        _write_json({"class_names": report["class_names"],
                     "confusion_matrix": report["confusion_matrix"],
                     "rows": "true class", "columns": "predicted class"},
                    os.path.join(directory, "confusion_matrix.json")),
        _write_png(evaluation_plots.plot_confusion_matrix, os.path.join(directory, "confusion_matrix.png"),
                   report),
    ]
    if report["mistakes"]:
        paths.append(_write_png(evaluation_plots.plot_mistakes,
                                os.path.join(directory, "mistakes.png"), report, images))
    return report, paths


def resolve_export(path):
    """Returns the version folder of an export: `path` itself, or its latest version.

    Args:
        path: `saved_models/NAME/VERSION` or `saved_models/NAME`.

    Raises:
        ValueError: `path` is neither.
    """
    from kerasrecipes import export

    if os.path.isfile(os.path.join(path, export.METADATA_FILE)):
        return path
    versions = sorted(int(n) for n in os.listdir(path) if n.isdigit()) if os.path.isdir(path) else []
    for version in reversed(versions):
        candidate = os.path.join(path, str(version))
        if os.path.isfile(os.path.join(candidate, export.METADATA_FILE)):
            return candidate
    raise ValueError(
        "Argument `path` must be an export folder, saved_models/NAME/VERSION (holding "
        f"{export.METADATA_FILE}) or saved_models/NAME with numbered versions. Received: path={path!r}"
    )


def evaluate_export(path, data=None, directory=None, tta=None, batch_size=512, mistakes=16):
    """Evaluates an exported SavedModel on a dataset's test split and writes the report.

    The SavedModel is loaded with TensorFlow alone (no Keras model, no custom objects)
    and called through its `serving_default` signature on the raw uint8 images.

    Args:
        path: `saved_models/NAME/VERSION`, or `saved_models/NAME` for its latest version.
        data: optional dataset name (see `kerasrecipes.data.names()`); defaults to the
            `dataset` of the config saved with the export.
        directory: optional report folder; defaults to `evaluation/NAME/VERSION`.
        tta: optional test-time augmentation mode (see `kerasrecipes.training.tta`),
            averaged over on top of any the export serves itself (its card's
            `served_tta`).
        batch_size: int, images per serving call. Defaults to 512.
        mistakes: int, how many confident mistakes to show. Defaults to 16.

    Returns:
        `(report, paths)` as `write_report`.

    Raises:
        ValueError: no export at `path`, no dataset named, or images that do not fit
            the exported input.

    Example:

    >>> report, paths = evaluate_export("saved_models/fashion_mnist_vgg")
    """
    import numpy as np
    import tensorflow as tf

    from kerasrecipes import data as data_lib
    from kerasrecipes import export
    from kerasrecipes.training import tta as tta_lib

    version_dir = resolve_export(path)
    metadata = export.load_metadata(version_dir)
    config = metadata.get("config") or {}
    dataset = data or config.get("data")
    if dataset is None or dataset in (data_lib.sources.ARRAYS, data_lib.sources.DATASET):
        raise ValueError(
            "Argument `data` must name a dataset or an image folder with a test/ split: the "
            f"export's config names none. Received: data={dataset!r} for {version_dir!r}"
        )
    if tta is not None:
        tta_lib.view_specs(tta)  # an unknown mode fails before loading
    expected = tuple(metadata["input"]["shape"][1:])
    test_source = data_lib.source(
        dataset, image_size=expected[:2],
        color_mode="grayscale" if expected[-1] == 1 else "rgb")
    if test_source.test is None:
        raise ValueError(
            f"Argument `data` must have a test split. Received: data={dataset!r}, which has "
            "none (a folder needs a test/ sub-folder)."
        )
    x_test, y_test = test_source.take("test", test_source.num_test)
    if tuple(x_test.shape[1:]) != expected:
        raise ValueError(
            f"Argument `data` must have images of the exported input shape {expected}. "
            f"Received: data={dataset!r} with images of shape {tuple(x_test.shape[1:])}"
        )
    class_names = metadata.get("class_names") or test_source.class_names
    serve = tf.saved_model.load(version_dir).signatures["serving_default"]

    def predict(images):
        return np.concatenate([
            serve(images=tf.constant(images[start:start + batch_size].astype(np.uint8)))
            ["probabilities"].numpy()
            for start in range(0, len(images), batch_size)
        ])

    if tta is None:
        probabilities = predict(x_test)
    else:
        probabilities = np.mean([predict(view) for view in tta_lib.views(x_test, tta)], axis=0)
    if directory is None:
        version_dir = os.path.normpath(version_dir)
        directory = os.path.join("evaluation", os.path.basename(os.path.dirname(version_dir)),
                                 os.path.basename(version_dir))
    return write_report(probabilities, y_test.astype(np.int64), x_test, class_names, directory,
                        mistakes=mistakes)
