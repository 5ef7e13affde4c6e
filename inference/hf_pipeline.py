"""``pipeline("country-stance", model=dir)``: the classifier as a registered transformers pipeline.

One text in, one dict per (sentence, country) out: ``StanceResult.to_dict()`` of exactly what
``load_classifier(dir).classify(text)`` returns (the pipeline runs the same ``StanceClassifier``).
A list of texts gives one list per text, batched across texts like ``classify_many``::

    import inference
    from transformers import pipeline
    stance = pipeline("country-stance", model="path/to/model")   # device: an accelerator when present
    stance("Russia imposed sanctions on Ukraine.", lang="en")
    stance(["...", "..."], lang=["en", "ru"])

``precision`` (``auto`` | ``fp32`` | ``bf16`` | ``fp16``) and ``batch_size`` (sentences per forward) are
constructor arguments: ``pipeline("country-stance", model=dir, precision="fp32")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from transformers import Pipeline

from .classifier import StanceClassifier, bf16_weights
from .hf import DiplostanceStanceModel

TASK = "country-stance"


class CountryStancePipeline(Pipeline):
    """Stance, detail and sentiment toward every country an article names (see the module doc)."""

    _load_tokenizer = False  # the model carries its base encoder's tokenizer
    _load_image_processor = False
    _load_feature_extractor = False
    _load_processor = False
    _load_video_processor = False

    def __init__(self, model: DiplostanceStanceModel, *args: Any, **kwargs: Any) -> None:
        if not isinstance(model, DiplostanceStanceModel):
            raise TypeError(
                f"the {TASK!r} pipeline needs a diplostance model directory or DiplostanceStanceModel, "
                f"got {type(model).__name__}"
            )
        precision = kwargs.pop("precision", "auto")
        sentence_batch = kwargs.pop("sentence_batch_size", 32)
        if kwargs.get("tokenizer") is None:
            kwargs["tokenizer"] = model.tokenizer
        super().__init__(model, *args, **kwargs)
        if self.tokenizer is None:
            raise ValueError(f"{type(model).__name__} has no tokenizer; load it with from_pretrained")
        self.classifier = StanceClassifier(
            self.model.stance,
            self.tokenizer,
            name=str(self.model.name_or_path or "diplostance"),
            batch_size=sentence_batch,
            precision=precision,
        )
        if self.classifier.precision == "bf16" and self.classifier.device.type == "cpu":
            bf16_weights(self.model.stance)  # as load_classifier does, so the readings are the same

    def _sanitize_parameters(self, lang: str | None = None, **kwargs: Any):
        if kwargs:
            raise TypeError(f"unexpected argument(s) {sorted(kwargs)}; the {TASK!r} pipeline takes lang=")
        return {"lang": lang}, {}, {}

    def __call__(
        self, inputs: str | Sequence[str], lang: str | Sequence[str | None] | None = None, **kwargs: Any
    ):
        if isinstance(inputs, str):
            return super().__call__(inputs, lang=lang, **kwargs)
        if kwargs:
            raise TypeError(f"unexpected argument(s) {sorted(kwargs)}; the {TASK!r} pipeline takes lang=")
        texts = list(inputs)
        return [[r.to_dict() for r in rs] for rs in self.classifier.classify_many(texts, lang=lang)]

    def preprocess(self, inputs: str, lang: str | None = None) -> dict[str, Any]:
        return {"text": inputs, "lang": lang}

    def _forward(self, model_inputs: dict[str, Any]) -> dict[str, Any]:
        return {"results": self.classifier.classify(model_inputs["text"], lang=model_inputs["lang"])}

    def postprocess(self, model_outputs: dict[str, Any]) -> list[dict[str, Any]]:
        return [r.to_dict() for r in model_outputs["results"]]
