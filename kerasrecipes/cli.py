"""The `kerasrecipes` command line: a thin layer over `kerasrecipes.recipes` and `export`.

    kerasrecipes list
    kerasrecipes config fashion_mnist_vgg --set epochs=3
    kerasrecipes train fashion_mnist_vgg --epochs 1 --set batch_size=256 --set optimizer=adam --export
    kerasrecipes train fashion_mnist_vgg --sanity-check --set log_dir=runs/fm
    kerasrecipes train fashion_mnist_vgg --resume runs/fm/backup   # again after a kill
    kerasrecipes export runs/fashion_mnist_vgg/model.keras --name fashion_mnist_vgg
    kerasrecipes show-augment strong --output strong.png

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
    from kerasrecipes import export
    from kerasrecipes import saving

    if not os.path.exists(args.model):
        raise ValueError(f"Argument `model` must be an existing .keras file. Received: model={args.model!r}")
    model = saving.load_model(args.model, trust_h5=args.trust_h5)
    name = args.name or os.path.splitext(os.path.basename(args.model))[0]
    path = export.save(model, os.path.join(args.export_dir, name))
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
            sub.add_argument("--resume", "--backup-dir", dest="resume", metavar="DIR",
                             help="back up to DIR while training; run the same command "
                                  "again after a kill to continue where it stopped")

    exporter = commands.add_parser("export", help="export a .keras model as a SavedModel")
    exporter.add_argument("model", help="path of a .keras file")
    exporter.add_argument("--name", help="model name (defaults to the file's stem)")
    exporter.add_argument("--export-dir", default="saved_models")
    exporter.add_argument("--trust-h5", action="store_true",
                          help="load a legacy .h5 model (it can run code: your own files only)")
    exporter.set_defaults(run=cmd_export)

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
    except FloatingPointError as error:  # training.TrainingDiverged: a one-line diagnosis
        print(f"kerasrecipes {args.command}: error: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
