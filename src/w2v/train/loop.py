"""The epoch loop: plans each epoch, hands it to an executor, and keeps the books — progress bar,
callbacks, loss per epoch, words trained, checkpoints.  It never runs a kernel itself."""
import time

from ..progress import progress_bar


def call(callbacks, event, model):
    """Call ``event`` (e.g. "on_epoch_end") on each callback that has it, with the model."""
    for cb in callbacks:
        method = getattr(cb, event, None)
        if method is not None:
            method(model)


def run_training(model, state, schedule, executor, *, callbacks=(), progress=None, first_epoch=0, trained=0,
                 checkpoint=None, checkpoint_every=None):
    """Run epochs ``first_epoch`` … ``schedule.epochs - 1`` of ``schedule`` on ``state`` with ``executor``.

    Appends each epoch's loss to ``model.epoch_losses`` (and ``model.running_training_loss``);
    after every ``checkpoint_every`` epochs calls ``checkpoint(epochs_done, trained)``.
    Returns a dict of statistics: effective_words, seconds, compile_seconds.
    """
    compile_seconds = executor.prepare(state)
    started = time.perf_counter()
    bar = progress_bar(total=schedule.total_raw, initial=first_epoch * schedule.epoch_raw, unit="word",
                       unit_scale=True, disable=None if progress is None else not progress, smoothing=0.1)
    call(callbacks, "on_train_begin", model)
    try:
        with executor:
            for epoch in range(first_epoch, schedule.epochs):
                bar.set_description(f"epoch {epoch + 1}/{schedule.epochs}")
                call(callbacks, "on_epoch_begin", model)
                epoch_loss = 0.0
                for result in executor.run_epoch(state, schedule.plan(epoch)):
                    trained += result.effective
                    epoch_loss += result.loss
                    bar.update(result.raw)
                    if state.compute_loss:
                        bar.set_postfix(loss=f"{epoch_loss:.4g}", refresh=False)
                model.epoch_losses.append(epoch_loss)
                model.running_training_loss += epoch_loss
                call(callbacks, "on_epoch_end", model)
                if checkpoint is not None and checkpoint_every and (epoch + 1) % checkpoint_every == 0:
                    checkpoint(epoch + 1, trained)
    finally:
        bar.close()
        model.wv._clear_cache()
    return {"effective_words": trained, "seconds": time.perf_counter() - started,
            "compile_seconds": compile_seconds}
