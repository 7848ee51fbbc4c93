"""The `kerasrecipes` command line: a thin layer over `kerasrecipes.recipes` and `export`.

    kerasrecipes list
    kerasrecipes config fashion_mnist_vgg --set epochs=3
    kerasrecipes train fashion_mnist_vgg --epochs 1 --set batch_size=256 --set optimizer=adam --export
    kerasrecipes train fashion_mnist_vgg --sanity-check --set log_dir=runs/fm
    kerasrecipes export runs/fashion_mnist_vgg/model.keras --name fashion_mnist_vgg
    kerasrecipes show-augment strong --output strong.png
    kerasrecipes fine-tune base.keras --data path/to/images --strategy auto --export

Only the overrides the user sets are passed on, so each recipe's defaults live in one place.
Bad names and values exit with status 2 and a one-line error before any training starts.
"""

import argparse
import json
import os
import sys


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

    config = recipes.config(args.recipe, **_overrides(args))
    recipe = recipes.build(config)
    if args.sanity_check:
        from kerasrecipes.training import sanity_check

        print(sanity_check(recipe))
    recipe.fit(verbose=args.verbose)
    metrics = recipe.evaluate()
    print(json.dumps({"recipe": args.recipe, "test": metrics}))
    if args.output:
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        recipe.model.save(args.output)
        print(f"Saved the Keras model to {args.output}")
    if args.export:
        path = recipe.export(args.export_dir)
        print(f"Exported the SavedModel to {path}")
    return 0


def cmd_export(args):
    import keras

    import kerasrecipes  # noqa: F401  (registers the custom objects)
    from kerasrecipes import export

    if not os.path.exists(args.model):
        raise ValueError(f"Argument `model` must be an existing .keras file. Received: model={args.model!r}")
    model = keras.saving.load_model(args.model)
    name = args.name or os.path.splitext(os.path.basename(args.model))[0]
    path = export.save(model, os.path.join(args.export_dir, name))
    print(f"Exported the SavedModel to {path}")
    return 0


def _fine_tune_data(path, input_shape):
    # Until data.source() lands, a folder of class sub-folders read by from_directory.
    from kerasrecipes import data

    color_mode = {1: "grayscale", 3: "rgb", 4: "rgba"}.get(input_shape[-1], "rgb")
    return data.from_directory(path, image_size=tuple(input_shape[1:3]), color_mode=color_mode)


def cmd_fine_tune(args):
    from kerasrecipes import export
    from kerasrecipes import transfer

    base = transfer.load_base(args.base)
    dataset, class_names = _fine_tune_data(args.data, base.inputs[0].shape)
    options = {"epochs": args.epochs} if args.epochs else {}
    statistics = args.statistics or transfer.statistics_path(args.base)
    if args.strategy == "auto" and os.path.exists(statistics):
        options["base_statistics"] = statistics
    result = transfer.fine_tune(base, dataset, strategy=args.strategy, seed=args.seed, **options)
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
    from kerasrecipes.layers import augmentation
    from kerasrecipes.plots import augmentation_grid

    augmentation.augmentation_policy(args.policy)  # unknown names fail before loading data
    (x_train, _), _ = data.load(args.dataset)
    path = args.output or f"augment_{args.policy}.png"
    augmentation_grid(x_train[: args.count], args.policy, path, count=args.count,
                      versions=args.versions, seed=args.seed)
    print(f"Wrote {path}")
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
        sub.add_argument("--set", action="append", metavar="KEY=VALUE",
                         help="override a config key (repeatable)")
        sub.set_defaults(run=fn)
        if command == "train":
            sub.add_argument("--export", action="store_true",
                             help="export a SavedModel to --export-dir/<recipe>/<version>/")
            sub.add_argument("--export-dir", default="saved_models")
            sub.add_argument("--output", help="also save the trained model as this .keras file")
            sub.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
            sub.add_argument("--sanity-check", action="store_true",
                             help="first overfit 64 training images; stop if that fails")

    exporter = commands.add_parser("export", help="export a .keras model as a SavedModel")
    exporter.add_argument("model", help="path of a .keras file")
    exporter.add_argument("--name", help="model name (defaults to the file's stem)")
    exporter.add_argument("--export-dir", default="saved_models")
    exporter.set_defaults(run=cmd_export)

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


if __name__ == "__main__":
    sys.exit(main())
