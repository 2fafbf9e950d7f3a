"""Write a generated interaction log with planted structure, for trying `w2v items`.

    python bench/items_log.py OUTDIR [--users 3000] [--items 800] [--seed 0]

writes OUTDIR/events.csv (user_id, item_id, ts as Unix seconds) and OUTDIR/items.csv
(item_id, title, genre).  Users have one or two favourite genres, browse one of them per
session (sessions are separated by gaps of hours to days, events within a session by
seconds to minutes), and item popularity is Zipf-skewed: the next item is best guessed as
"popular within the current genre", which most-popular cannot know.
"""
import argparse
import os

from w2v.items.synthetic import genre_log


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--items", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    events, names = genre_log(args.users, args.items, seed=args.seed)
    events.to_csv(os.path.join(args.outdir, "events.csv"), index=False)
    names.to_csv(os.path.join(args.outdir, "items.csv"), index=False)
    print(f"wrote {len(events):,} events of {args.users:,} users on {args.items:,} items to {args.outdir}")


if __name__ == "__main__":
    main()
