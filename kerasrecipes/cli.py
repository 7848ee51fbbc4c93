"""The `kerasrecipes` command line: a thin layer over `kerasrecipes.recipes` and `export`.

    kerasrecipes list
    kerasrecipes config fashion_mnist_vgg --set epochs=3
    kerasrecipes train fashion_mnist_vgg --epochs 1 --set batch_size=256 --set optimizer=adam --export
    kerasrecipes train fashion_mnist_vgg --sanity-check --set log_dir=runs/fm
    kerasrecipes train image_classifier --data path/to/images --epochs 5 --export
    kerasrecipes train fashion_mnist_vgg --resume runs/fm/backup   # again after a kill
    kerasrecipes export runs/fashion_mnist_vgg/model.keras --name fashion_mnist_vgg
    kerasrecipes export runs/fm.keras --dataset fashion_mnist --tflite int8
    kerasrecipes predict saved_models/fashion_mnist_vgg shoe.png shirt.png
    kerasrecipes show-augment strong --output strong.png
    kerasrecipes evaluate saved_models/fashion_mnist_vgg --output evaluation/vgg
    kerasrecipes fine-tune base.keras --data path/to/images --strategy auto --export
    kerasrecipes ensemble fashion_mnist_vgg --members 5 --from seeds --fusion vote --export

Only the overrides the user sets are passed on, so each recipe's defaults live in one place.
Bad names and values exit with status 2 and a one-line error before any training starts.
"""

import argparse
import json
import os
import sys

TFLITE_CHOICES = ("float32", "dynamic", "float16", "int8")


def _parse_sets(pairs):
    overrides = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"Option `--set` takes KEY=VALUE, as in --set batch_size=256. Received: {pair!r}")
        overrides[key.strip()] = value.strip()
    return overrides


def _overrides(args):
    overrides = _parse_sets(args.set)
    if getattr(args, "epochs", None) is not None:
        overrides["epochs"] = args.epochs
    if getattr(args, "data", None) is not None:
        overrides["data"] = args.data
    if getattr(args, "checkpoint_dir", None) is not None:
        overrides["checkpoint_dir"] = args.checkpoint_dir
    if getattr(args, "strategy", None) is not None:
        overrides["strategy"] = args.strategy
    if getattr(args, "resume", None) is not None:
        overrides["backup_dir"] = args.resume
    return overrides


def cmd_list(args):
    from kerasrecipes import recipes

    for name in recipes.names(args.pattern):
        print(name)
    return 0


def cmd_config(args):
    from kerasrecipes import recipes

    config = recipes.config(args.recipe, **_overrides(args))
    recipes.validate(config)
    print(config.to_json())
    return 0


def cmd_train(args):
    from kerasrecipes import recipes

    if args.tflite and not args.export:
        raise ValueError(f"Option `--tflite` needs `--export`. Received: --tflite {args.tflite[0]}")
    config = recipes.config(args.recipe, **_overrides(args))
    recipe = recipes.build(config)
    if args.sanity_check:
        from kerasrecipes.training import sanity_check

        print(sanity_check(recipe))
    history = recipe.fit(verbose=args.verbose)
    metrics = None
    if recipe.test_data is not None:
        metrics = recipe.evaluate()
        print(json.dumps({"recipe": args.recipe, "test": metrics}))
    else:  # a folder without test/: report the last validation figures instead
        last = {k[4:]: v[-1] for k, v in history.history.items() if k.startswith("val_")}
        print(json.dumps({"recipe": args.recipe, "test": None, "validation": last}))
    if args.output:
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        recipe.model.save(args.output)
        print(f"Saved the Keras model to {args.output}")
    if args.export:
        path = recipe.export(args.export_dir, metrics=metrics, tflite=args.tflite)
        print(f"Exported the SavedModel to {path}")
    return 0


def cmd_export(args):
    from kerasrecipes import export
    from kerasrecipes import saving

    if not os.path.exists(args.model):
        raise ValueError(f"Argument `model` must be an existing .keras file. Received: model={args.model!r}")
    if "int8" in (args.tflite or []) and not args.dataset:
        raise ValueError("Option `--tflite int8` needs `--dataset NAME`: its training images "
                         "calibrate the int8 ranges. Received: no --dataset")
    model = saving.load_model(args.model, trust_h5=args.trust_h5)
    name = args.name or os.path.splitext(os.path.basename(args.model))[0]
    class_names, calibration = None, None
    if args.dataset:
        from kerasrecipes import data

        class_names = data.class_names(args.dataset)
        if "int8" in (args.tflite or []):
            calibration = data.load(args.dataset)[0][0]
    path = export.save(model, os.path.join(args.export_dir, name), class_names=class_names,
                       version=args.version, overwrite=args.overwrite, tflite=args.tflite,
                       representative_data=calibration, tta=args.tta)
    print(f"Exported the SavedModel to {path}")
    for file_name in export.load_metadata(path)["tflite"]:
        print(f"Wrote {os.path.join(path, file_name)}")
    return 0


def cmd_predict(args):
    from kerasrecipes.export import predict

    if args.top < 1:
        raise ValueError(f"Option `--top` must be an integer >= 1. Received: --top {args.top}")
    results = predict.predict_files(args.model, args.images, top=args.top)
    for result in results:
        if args.json:
            print(json.dumps(result))
        else:
            ranked = ", ".join(f"{name} {100 * p:.2f} %" for name, p in result["top"])
            print(f"{result['file']}: {ranked}")
    return 0


def _fine_tune_data(path, input_shape):
    from kerasrecipes import data

    color_mode = {1: "grayscale", 3: "rgb"}.get(input_shape[-1], "rgb")
    return data.source(path, image_size=tuple(input_shape[1:3]), color_mode=color_mode)


def cmd_fine_tune(args):
    from kerasrecipes import export
    from kerasrecipes import transfer

    base = transfer.load_base(args.base)
    source = _fine_tune_data(args.data, base.inputs[0].shape)
    class_names = source.class_names
    options = {"epochs": args.epochs} if args.epochs else {}
    statistics = args.statistics or transfer.statistics_path(args.base)
    if args.strategy == "auto" and os.path.exists(statistics):
        options["base_statistics"] = statistics
    result = transfer.fine_tune(base, source.train, val_data=source.val, strategy=args.strategy,
                                seed=args.seed, **options)
    print(json.dumps({"strategy": result.strategy, "reason": result.reason}))
    if args.output:
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        result.model.save(args.output)
        print(f"Saved the Keras model to {args.output}")
    if args.export:
        config = {"fine_tune": {"base": os.fspath(args.base), "strategy": result.strategy,
                                "reason": result.reason, "layer": result.layer}}
        path = export.save(result.model, os.path.join(args.export_dir, args.name),
                           config=config, class_names=class_names)
        print(f"Exported the SavedModel to {path}")
    return 0


def cmd_show_augment(args):
    from kerasrecipes import data
    from kerasrecipes.layers import augmentation_policy
    from kerasrecipes.plots import augmentation_grid

    augmentation_policy(args.policy)  # unknown names fail before loading data
    (x_train, _), _ = data.load(args.dataset)
    path = args.output or f"augment_{args.policy}.png"
    augmentation_grid(x_train[: args.count], args.policy, path, count=args.count,
                      versions=args.versions, seed=args.seed)
    print(f"Wrote {path}")
    return 0


def cmd_evaluate(args):
    from kerasrecipes.recipes.report import evaluate_export

    report, paths = evaluate_export(args.path, data=args.data, directory=args.output, tta=args.tta,
                                    batch_size=args.batch_size)
    print(json.dumps({"accuracy": report["accuracy"], "macro_f1": report["macro_avg"]["f1"],
                      "samples": report["samples"]}))
    print("Wrote " + ", ".join(paths))
    return 0


def cmd_ensemble(args):
    from kerasrecipes import ensembles
    from kerasrecipes import export

    model, run = ensembles.from_recipe(args.recipe, args.members, source=args.source,
                                       fusion=args.fusion, layer=args.layer,
                                       verbose=args.verbose, **_overrides(args))
    test = run.recipe.test_data
    report = {"recipe": args.recipe, "source": args.source, "fusion": args.fusion,
              "members": [round(a, 4) for a in ensembles.member_accuracies(run.models, test)],
              "test": model.evaluate(test, verbose=0, return_dict=True)}
    print(json.dumps(report))
    if args.output:
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        model.save(args.output)
        print(f"Saved the Keras model to {args.output}")
    if args.export:
        config = {"ensemble": {"source": args.source, "fusion": args.fusion,
                               "members": args.members, "layer": args.layer},
                  "members": [c.to_dict() for c in run.configs]}
        path = export.save(model, os.path.join(args.export_dir, f"{args.recipe}_ensemble"),
                           config=config, class_names=run.recipe.class_names)
        print(f"Exported the SavedModel to {path}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kerasrecipes", description="Train and export kerasrecipes recipes."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="list the recipes")
    listing.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern")
    listing.set_defaults(run=cmd_list)

    for command, fn, help_text in (
        ("config", cmd_config, "print a recipe's config with overrides"),
        ("train", cmd_train, "train a recipe, evaluate it on the test set"),
    ):
        sub = commands.add_parser(command, help=help_text)
        sub.add_argument("recipe")
        sub.add_argument("--epochs", type=int)
        sub.add_argument("--data", help="a registered name (fashion_mnist, digits), a TFDS "
                         "name or a folder of class sub-folders (or train/ and test/)")
        sub.add_argument("--set", action="append", metavar="KEY=VALUE",
                         help="override a config key (repeatable)")
        sub.add_argument("--strategy", help="default, mirrored (all GPUs here), multi_worker "
                         "(TF_CONFIG) or tpu; batch_size is then per replica")
        sub.set_defaults(run=fn)
        if command == "train":
            sub.add_argument("--export", action="store_true",
                             help="export a SavedModel to --export-dir/<recipe>/<version>/")
            sub.add_argument("--export-dir", default="saved_models")
            sub.add_argument("--tflite", action="append", choices=TFLITE_CHOICES,
                             help="with --export: also write this .tflite (repeatable)")
            sub.add_argument("--output", help="also save the trained model as this .keras file")
            sub.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
            sub.add_argument("--sanity-check", action="store_true",
                             help="first overfit 64 training images; stop if that fails")
            sub.add_argument("--checkpoint-dir",
                             help="write best.keras and last.keras there each epoch")
            sub.add_argument("--resume", "--backup-dir", dest="resume", metavar="DIR",
                             help="back up to DIR while training; run the same command "
                                  "again after a kill to continue where it stopped")

    exporter = commands.add_parser("export", help="export a .keras model as a SavedModel")
    exporter.add_argument("model", help="path of a .keras file")
    exporter.add_argument("--name", help="model name (defaults to the file's stem)")
    exporter.add_argument("--export-dir", default="saved_models")
    exporter.add_argument("--dataset", help="data set whose class names (and, for int8, "
                          "training images) go with the export, e.g. fashion_mnist")
    exporter.add_argument("--tflite", action="append", choices=TFLITE_CHOICES,
                          help="also write this .tflite into the version folder (repeatable)")
    exporter.add_argument("--version", type=int, help="version number (default: next free)")
    exporter.add_argument("--overwrite", action="store_true", help="replace --version if it exists")
    exporter.add_argument("--tta", help="serve the probabilities averaged over test-time "
                          "views: flip, shift or flip_shift (one forward pass each)")
    exporter.add_argument("--trust-h5", action="store_true",
                          help="load a legacy .h5 model (it can run code: your own files only)")
    exporter.set_defaults(run=cmd_export)

    predictor = commands.add_parser(
        "predict", help="class names and probabilities of image files, from an export")
    predictor.add_argument("model", help="saved_models/NAME[/VERSION] (latest by default) "
                           "or a .tflite file")
    predictor.add_argument("images", nargs="+", help="PNG/JPEG files")
    predictor.add_argument("--top", type=int, default=3, help="classes shown per image")
    predictor.add_argument("--json", action="store_true", help="one JSON object per image")
    predictor.set_defaults(run=cmd_predict)
    tune = commands.add_parser("fine-tune", help="fine-tune a trained model on a folder of images")
    tune.add_argument("base", help="a .keras file or a SavedModel folder exported by kerasrecipes")
    tune.add_argument("--data", required=True, help="folder with one sub-folder of images per class")
    tune.add_argument("--strategy", default="auto",
                      help="auto, linear_top, linear_early, top_layers, many_layers or scratch")
    tune.add_argument("--statistics", help="the base's feature statistics JSON (auto; "
                      "defaults to BASE.features.json)")
    tune.add_argument("--epochs", type=int)
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--name", default="fine_tuned", help="export name")
    tune.add_argument("--export", action="store_true",
                      help="export a SavedModel to --export-dir/<name>/<version>/")
    tune.add_argument("--export-dir", default="saved_models")
    tune.add_argument("--output", help="also save the fine-tuned model as this .keras file")
    tune.set_defaults(run=cmd_fine_tune)

    show = commands.add_parser("show-augment",
                               help="write a PNG grid of images and their augmented versions")
    show.add_argument("policy", help="augmentation policy name, e.g. flip_crop, strong")
    show.add_argument("--dataset", default="fashion_mnist")
    show.add_argument("--output", help="PNG path (defaults to augment_<policy>.png)")
    show.add_argument("--count", type=int, default=8, help="images per row")
    show.add_argument("--versions", type=int, default=3, help="augmented rows")
    show.add_argument("--seed", type=int, default=0)
    show.set_defaults(run=cmd_show_augment)

    evaluate = commands.add_parser(
        "evaluate", help="evaluate an exported SavedModel: accuracy, confusion matrix, mistakes")
    evaluate.add_argument("path", help="saved_models/NAME/VERSION, or saved_models/NAME for the latest")
    evaluate.add_argument("--data", help="dataset name (defaults to the export's config dataset)")
    evaluate.add_argument("--output", help="report folder (defaults to evaluation/NAME/VERSION)")
    evaluate.add_argument("--tta", help="test-time augmentation: flip, shift or flip_shift")
    evaluate.add_argument("--batch-size", type=int, default=512)
    evaluate.set_defaults(run=cmd_evaluate)

    ens = commands.add_parser("ensemble", help="train a recipe's members, fuse them into one model")
    ens.add_argument("recipe")
    ens.add_argument("--members", type=int, default=5, help="number of members")
    ens.add_argument("--from", dest="source", default="seeds", help="seeds, folds or snapshots")
    ens.add_argument("--fusion", default="mean", help="mean, weighted, vote or early")
    ens.add_argument("--layer", help="early fusion: the member layer whose output is fused")
    ens.add_argument("--epochs", type=int)
    ens.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a config key of every member (repeatable)")
    ens.add_argument("--export", action="store_true",
                     help="export one SavedModel to --export-dir/<recipe>_ensemble/<version>/")
    ens.add_argument("--export-dir", default="saved_models")
    ens.add_argument("--output", help="also save the ensemble as this .keras file")
    ens.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2))
    ens.set_defaults(run=cmd_ensemble)
    return parser


def main(argv=None):
    """Runs the command line; returns the exit status."""
    # TensorFlow's C++ start-up chatter drowns the one line a user needs to read.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"kerasrecipes {args.command}: error: {error}", file=sys.stderr)
        return 2
    except FloatingPointError as error:  # training.TrainingDiverged: a one-line diagnosis
        print(f"kerasrecipes {args.command}: error: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
