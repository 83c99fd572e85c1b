"""CPU-bound work: serialization and file reads in request handlers, regexes built in loops,
hashing and crypto, compression, media processing, numeric loop nests, nested loops over inputs.

"In a handler" means inside a function the request-surface helper recognises as one
(a route's callback, a mapped controller method, a Go ``http.ResponseWriter`` function)
or inside a closure within it.
"""

from __future__ import annotations

import re

import tree_sitter

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import Catalog, RuleCatalogs, Scope, Source, analyzer, finding, markers_for, rule, source_of
from readiness_plugins._routes import surface

P = Criterion.PERFORMANCE

SERIALIZATION = rule(
    "PERF101", "serialization-in-handler", P,
    "JSON, protobuf, pickle, YAML or XML encoding and decoding inside a request handler.",
    "Serialization is often the largest CPU cost of an API request in an interpreted runtime; serde in Rust does the same work "
    "several times faster, with no garbage to collect afterwards.",
    "@app.post(\"/v1/carts/quote\")\ndef quote_cart():\n    cart = json.loads(request.get_data())",
)
REGEX_IN_LOOP = rule(
    "PERF102", "regex-compiled-in-loop", P,
    "A regular expression compiled inside a loop (`re.compile`, `Pattern.compile`, `new RegExp`, `regexp.MustCompile`, `Regex::new`).",
    "Compiling a pattern per iteration multiplies CPU per request with the data size; it marks a hot loop that gains from being "
    "rewritten (and, in Rust, from compiling once into a static).",
    "for promo in promotions:\n    pattern = re.compile(promo[\"sku_pattern\"])",
)
HASHING = rule(
    "PERF103", "hashing-or-crypto", P,
    "Hashing, HMAC, signatures, token verification, ciphers and password hashing (`hashlib`, `hmac`, `crypto.createHash`, `jwt.verify`, `MessageDigest`, OpenSSL's EVP calls).",
    "Cryptography is pure CPU work that interpreted runtimes hand to native code at a per-call cost; in Rust it runs at native speed "
    "inline, and a gateway that verifies every token gains directly.",
    "const claims = jwt.verify(token, key, { algorithms: ['RS256'] });",
)
COMPRESSION = rule(
    "PERF104", "compression", P,
    "Compression and decompression (`zlib`, `gzip`, `GZIPOutputStream`, `compress/gzip`, `flate2`, zstd, brotli).",
    "Compression is CPU-bound and often sits on the request path; Rust runs it natively without buffer copies between runtime and native code.",
    "blob = zlib.compress(orjson.dumps(intent), level=6)",
)
MEDIA = rule(
    "PERF105", "media-processing", P,
    "Image, video and audio processing libraries (`PIL`, `cv2`, `sharp`, `ImageIO`, `image.Decode`, stb, ffmpeg's libav).",
    "Media work is the textbook CPU-bound workload; a Rust service does it at C speed without the memory-safety risk of C.",
    "img = Image.open(upload).resize((320, 320))",
)
NUMERIC_LOOP = rule(
    "PERF106", "numeric-loop-nest", P,
    "Loops nested two or more deep whose innermost body does arithmetic on array elements indexed by the loops.",
    "Element-wise arithmetic in nested loops is where interpreters are slowest and where Rust's bounds-checked but optimised loops "
    "(and SIMD) shine.",
    "for (y = 0; y < h; ++y)\n  for (x = 0; x < w; ++x)\n    out[x] = (a[x] + b[x]) * f;",
)
NESTED_INPUT_LOOP = rule(
    "PERF107", "nested-loop-over-inputs", P,
    "A loop over a function's parameter nested inside another loop over a parameter: work that grows with the product of two inputs.",
    "Quadratic work over request data is where CPU per request explodes with payload size; it is the first code to profile and a strong "
    "candidate for a faster implementation.",
    "def apply(lines, promotions):\n    for line in lines:\n        for promo in promotions:\n            ...",
)
FILE_READ = rule(
    "PERF108", "file-read-in-handler", P,
    "Files or configuration read inside a request handler (`open`, `fs.readFileSync`, `Files.readAllBytes`, `os.ReadFile`, `File.read`).",
    "Re-reading files on every request costs I/O and parsing per call; the rewrite is the time to load once at start-up.",
    "@app.get(\"/rates\")\ndef rates():\n    return json.load(open(\"rates.json\"))",
)

CATALOG = {
    SERIALIZATION: Catalog([
        ("Python", "call", "json.loads json.dumps json.load json.dump orjson.loads orjson.dumps ujson.loads ujson.dumps simplejson.loads simplejson.dumps pickle.loads pickle.dumps msgpack.packb msgpack.unpackb yaml.safe_load yaml.load yaml.dump xml.etree.ElementTree.fromstring lxml.etree.fromstring", "serialization in handler"),
        ("JS", "call", "JSON.parse JSON.stringify", "serialization in handler"),
        ("JVM", "call", "readValue writeValueAsString writeValueAsBytes toJson fromJson Json.decodeFromString Json.encodeToString", "serialization in handler"),
        ("Go", "call", "encoding/json.Marshal encoding/json.Unmarshal encoding/json.NewDecoder encoding/json.NewEncoder encoding/xml.Unmarshal encoding/xml.Marshal google.golang.org/protobuf/proto.Marshal google.golang.org/protobuf/proto.Unmarshal google.golang.org/protobuf/encoding/protojson.Marshal google.golang.org/protobuf/encoding/protojson.Unmarshal", "serialization in handler"),
        ("C#", "call", "JsonSerializer.Serialize JsonSerializer.Deserialize JsonConvert.SerializeObject JsonConvert.DeserializeObject", "serialization in handler"),
        ("Rust", "call", "serde_json.from_str serde_json.to_string serde_json.from_slice serde_json.to_vec serde_json.from_value serde_json.to_value", "serialization in handler"),
        ("Ruby", "call", "JSON.parse JSON.generate JSON.dump to_json", "serialization in handler"),
        ("PHP", "call", "json_encode json_decode serialize unserialize", "serialization in handler"),
        ("Scala", "call", "Json.parse Json.toJson", "serialization in handler"),
    ]),
    REGEX_IN_LOOP: Catalog([
        ("Python", "call", "re.compile regex.compile", "regex compiled in a loop"),
        ("JS", "new call", "RegExp", "regex compiled in a loop"),
        ("JVM", "call", "Pattern.compile", "regex compiled in a loop"),
        ("Kotlin", "call", "Regex toRegex", "regex compiled in a loop"),
        ("Scala", "new", "Regex", "regex compiled in a loop"),
        ("Go", "call", "regexp.MustCompile regexp.Compile", "regex compiled in a loop"),
        ("C#", "new", "Regex", "regex compiled in a loop"),
        ("Rust", "call", "Regex.new RegexBuilder.new", "regex compiled in a loop"),
        ("Ruby", "call", "Regexp.new", "regex compiled in a loop"),
        ("C++", "typeref call", "regex wregex boost.regex", "regex compiled in a loop"),
    ]),
    HASHING: Catalog([
        ("Python", "call", "hashlib.sha256 hashlib.sha1 hashlib.md5 hashlib.sha512 hashlib.sha384 hashlib.blake2b hashlib.blake2s hashlib.new hashlib.pbkdf2_hmac hashlib.scrypt hmac.new hmac.digest bcrypt.hashpw bcrypt.checkpw jwt.encode jwt.decode cryptography.fernet.Fernet Crypto.Cipher.AES.new argon2.PasswordHasher", "hashing or crypto"),
        ("JS", "call", "crypto.createHash crypto.createHmac crypto.createCipheriv crypto.createDecipheriv crypto.createSign crypto.createVerify crypto.pbkdf2 crypto.pbkdf2Sync crypto.scrypt crypto.scryptSync crypto.sign crypto.verify crypto.createPublicKey crypto.createPrivateKey crypto.subtle.digest crypto.subtle.sign crypto.subtle.verify jsonwebtoken.sign jsonwebtoken.verify bcrypt.hash bcrypt.compare bcryptjs.hash bcryptjs.compare argon2.hash argon2.verify", "hashing or crypto"),
        ("JVM", "call", "MessageDigest.getInstance Mac.getInstance Cipher.getInstance Signature.getInstance KeyFactory.getInstance SecretKeyFactory.getInstance BCrypt.hashpw BCrypt.checkpw Jwts.parser Jwts.parserBuilder Jwts.builder DigestUtils.sha256Hex DigestUtils.md5Hex", "hashing or crypto"),
        ("Go", "call", "crypto/sha256.Sum256 crypto/sha256.New crypto/sha512.Sum512 crypto/sha1.Sum crypto/md5.Sum crypto/hmac.New crypto/aes.NewCipher crypto/cipher.NewGCM golang.org/x/crypto/bcrypt.GenerateFromPassword golang.org/x/crypto/bcrypt.CompareHashAndPassword crypto/rsa.SignPKCS1v15 crypto/rsa.VerifyPKCS1v15 crypto/ed25519.Sign crypto/ed25519.Verify crypto/ecdsa.Sign crypto/ecdsa.Verify", "hashing or crypto"),
        ("C#", "call", "SHA256.Create SHA256.HashData SHA1.Create MD5.Create Aes.Create RSA.Create BCrypt.Net.BCrypt.HashPassword BCrypt.Net.BCrypt.Verify", "hashing or crypto"),
        ("C#", "new", "HMACSHA256 HMACSHA512 Rfc2898DeriveBytes JwtSecurityTokenHandler", "hashing or crypto"),
        ("Rust", "call", "Sha256.new Sha256.digest Sha512.new Hmac.new_from_slice ring.digest.digest ring.hmac.sign bcrypt.hash bcrypt.verify jsonwebtoken.decode jsonwebtoken.encode Aes256Gcm.new Argon2.default", "hashing or crypto"),
        ("CFAMILY", "call", "SHA256 SHA1 MD5 SHA512 HMAC EVP_DigestInit_ex EVP_DigestUpdate EVP_DigestFinal_ex EVP_EncryptInit_ex EVP_DecryptInit_ex EVP_EncryptUpdate EVP_PKEY_sign EVP_DigestSign EVP_DigestVerify RSA_sign RSA_verify AES_encrypt crypto_secretbox_easy crypto_sign crypto_generichash", "hashing or crypto"),
        ("Ruby", "call", "Digest.SHA256.hexdigest Digest.SHA256.digest Digest.SHA1.hexdigest Digest.MD5.hexdigest OpenSSL.HMAC.hexdigest OpenSSL.HMAC.digest OpenSSL.Cipher.new BCrypt.Password.create JWT.decode JWT.encode", "hashing or crypto"),
        ("PHP", "call", "hash hash_hmac password_hash password_verify openssl_encrypt openssl_decrypt openssl_sign openssl_verify md5 sha1 crypt", "hashing or crypto"),
    ]),
    COMPRESSION: Catalog([
        ("Python", "call", "zlib.compress zlib.decompress zlib.compressobj zlib.decompressobj gzip.compress gzip.decompress gzip.open bz2.compress bz2.decompress lzma.compress lzma.decompress zstandard.ZstdCompressor zstandard.ZstdDecompressor brotli.compress brotli.decompress", "compression"),
        ("JS", "call", "zlib.gzip zlib.gzipSync zlib.gunzip zlib.gunzipSync zlib.deflate zlib.deflateSync zlib.inflate zlib.inflateSync zlib.brotliCompress zlib.brotliCompressSync zlib.brotliDecompress zlib.brotliDecompressSync zlib.createGzip zlib.createGunzip zlib.createDeflate zlib.createInflate", "compression"),
        ("JVM", "new call", "GZIPOutputStream GZIPInputStream Deflater Inflater DeflaterOutputStream InflaterInputStream ZipOutputStream ZipInputStream", "compression"),
        ("JVM", "call", "Zstd.compress Zstd.decompress", "compression"),
        ("Go", "call", "compress/gzip.NewWriter compress/gzip.NewReader compress/zlib.NewWriter compress/zlib.NewReader compress/flate.NewWriter compress/flate.NewReader github.com/klauspost/compress/zstd.NewWriter github.com/klauspost/compress/zstd.NewReader", "compression"),
        ("C#", "new", "GZipStream BrotliStream DeflateStream ZLibStream", "compression"),
        ("Rust", "call", "GzEncoder.new GzDecoder.new ZlibEncoder.new ZlibDecoder.new DeflateEncoder.new zstd.encode_all zstd.decode_all zstd.stream.encode_all zstd.stream.decode_all", "compression"),
        ("CFAMILY", "call", "compress compress2 uncompress deflate inflate deflateInit inflateInit deflateInit2 inflateInit2 gzopen ZSTD_compress ZSTD_decompress LZ4_compress_default LZ4_decompress_safe BrotliEncoderCompress BrotliDecoderDecompress", "compression"),
        ("Ruby", "call", "Zlib.Deflate.deflate Zlib.Inflate.inflate Zlib.GzipWriter.new Zlib.GzipReader.new Zlib.gzip Zlib.gunzip", "compression"),
        ("PHP", "call", "gzcompress gzuncompress gzencode gzdecode gzdeflate gzinflate zstd_compress brotli_compress", "compression"),
    ]),
    MEDIA: Catalog([
        ("Python", "call", "PIL.Image.open PIL.Image.new PIL.Image.frombytes cv2.imread cv2.imdecode cv2.resize cv2.VideoCapture cv2.cvtColor imageio.imread imageio.v3.imread pydub.AudioSegment.from_file librosa.load skimage.transform.resize", "media processing"),
        ("JS", "call", "sharp jimp.read Jimp.read canvas.createCanvas fluent-ffmpeg", "media processing"),
        ("JVM", "call", "ImageIO.read ImageIO.write Thumbnails.of", "media processing"),
        ("JVM", "new", "BufferedImage", "media processing"),
        ("Go", "call", "image.Decode image/jpeg.Encode image/jpeg.Decode image/png.Encode image/png.Decode github.com/disintegration/imaging.Resize github.com/nfnt/resize.Resize", "media processing"),
        ("C#", "call", "Image.FromStream Image.FromFile Image.Load SixLabors.ImageSharp.Image.Load", "media processing"),
        ("C#", "new", "Bitmap", "media processing"),
        ("Rust", "call", "image.open image.load_from_memory image.imageops.resize imageops.resize", "media processing"),
        ("CFAMILY", "call", "stbi_load stbi_load_from_memory stbi_write_png stbi_write_jpg cv.imread cv.resize cv.imdecode avcodec_send_packet avcodec_receive_frame sws_scale png_read_image jpeg_read_scanlines", "media processing"),
        ("Ruby", "call", "MiniMagick.Image.open MiniMagick.Image.read Vips.Image.new_from_file Vips.Image.thumbnail", "media processing"),
        ("PHP", "call", "imagecreatefromjpeg imagecreatefrompng imagecopyresampled imagescale", "media processing"),
        ("PHP", "new", "Imagick", "media processing"),
    ]),
    FILE_READ: Catalog([
        ("Python", "call", "open io.open read_text read_bytes configparser.ConfigParser dotenv.load_dotenv", "file read in handler"),
        ("JS", "call", "fs.readFileSync fs.readFile fs.promises.readFile fs/promises.readFile", "file read in handler"),
        ("JVM", "call", "Files.readAllBytes Files.readString Files.readAllLines", "file read in handler"),
        ("JVM", "new", "FileInputStream FileReader", "file read in handler"),
        ("Go", "call", "os.ReadFile os.Open io/ioutil.ReadFile", "file read in handler"),
        ("C#", "call", "File.ReadAllText File.ReadAllBytes File.ReadAllLines File.OpenRead", "file read in handler"),
        ("C#", "new", "StreamReader", "file read in handler"),
        ("Rust", "call", "std.fs.read_to_string std.fs.read std.fs.File.open fs.read_to_string", "file read in handler"),
        ("Ruby", "call", "File.read File.open YAML.load_file IO.read", "file read in handler"),
        ("PHP", "call", "file_get_contents fopen parse_ini_file file", "file read in handler"),
    ]),
}
HANDLER_ONLY = {SERIALIZATION, FILE_READ}
CATALOGS = RuleCatalogs(CATALOG)

_SUBSCRIPTS = frozenset({"subscript", "subscript_expression", "index_expression", "element_access_expression", "array_access", "element_reference", "indexing_suffix"})
_ARITHMETIC = frozenset({"*", "/", "+", "-", "<<", ">>", "%"})
_BINARY = frozenset({"binary_expression", "binary_operator", "binary", "infix_expression", "multiplicative_expression", "additive_expression"})
_LOOP_BODY_LIMIT = 20_000
"""Nodes looked at per innermost loop: a bound for pathological bodies."""


@hookimpl
def readiness_rules() -> list[Rule]:
    return [*CATALOG, NUMERIC_LOOP, NESTED_INPUT_LOOP]


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    loops = [b"for", b"while", b"each", b"loop"]
    return markers_for(*CATALOG.values(), extra={"Python JS Java Kotlin Scala Go Rust C C++ C# Ruby PHP": loops})


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    surface(source)
    made: dict[tuple[str, int], Finding] = {}
    for site, matched in CATALOGS.matches(source, ("call", "new", "typeref")):
        for rule_, pattern in matched:
            scope = source.scope_at(site.node)
            in_handler = bool(scope and scope.handler)
            if rule_ in HANDLER_ONLY and not in_handler:
                continue
            if rule_ is REGEX_IN_LOOP and source.loop_depth(site.node) == 0:
                continue
            made_ = finding(rule_, source, site.node, f"{pattern.what}: {site.name}", facts={"in_handler": in_handler})
            made.setdefault((made_.rule, made_.line), made_)
    for made_ in _loop_findings(source):
        made.setdefault((made_.rule, made_.line), made_)
    return list(made.values())


def _loop_findings(source: Source) -> list[Finding]:
    source.sweep()
    loops = [scope for scope in source.scopes if scope.kind == "loop"]
    has_inner = {id(scope.parent) for scope in loops if scope.parent is not None and scope.parent.kind == "loop"}
    made = []
    reported_nests: set[int] = set()
    for loop in loops:
        source.budget.spend()
        if loop.loop_depth < 2 or loop.outer_loop is None:
            continue
        outer = loop.outer_loop
        if id(loop) not in has_inner and id(outer) not in reported_nests and _subscript_arithmetic(source, loop):
            reported_nests.add(id(outer))
            made.append(finding(NUMERIC_LOOP, source, outer.node, f"numeric loop nest {loop.loop_depth} deep", facts={"depth": loop.loop_depth}))
        inputs = _parameters(source, loop.function)
        outer_root, inner_root = _iterable_root(source, outer.node), _iterable_root(source, loop.node)
        if inputs and outer_root in inputs and inner_root in inputs and outer_root != inner_root:
            made.append(finding(NESTED_INPUT_LOOP, source, loop.node, f"loop over {inner_root} nested in a loop over {outer_root}", facts={"in_handler": loop.handler}))
    return made


def _subscript_arithmetic(source: Source, loop: Scope) -> bool:
    """Whether the loop body has ``a[i] * x``-like arithmetic with an index naming one of the nest's loop variables."""
    variables = {name for nest in loop.nest() for name in _loop_variables(source, nest.node)}
    pending: list[tree_sitter.Node] = [loop.node]
    seen = 0
    while pending and seen < _LOOP_BODY_LIMIT:
        node = pending.pop()
        seen += 1
        source.budget.spend()
        if node.type in _BINARY and node.child_count == 3 and node.children[1].type in _ARITHMETIC:
            for operand in (node.children[0], node.children[2]):
                if operand.type in _SUBSCRIPTS and variables & set(re.findall(r"\w+", source.text(operand)[source.text(operand).find("[") :])):
                    return True
        pending.extend(node.children)
    return False


def _loop_variables(source: Source, node: tree_sitter.Node) -> set[str]:
    head_end = node.child_by_field_name("body")
    header = source.data[node.start_byte : head_end.start_byte if head_end is not None else min(node.end_byte, node.start_byte + 200)]
    words = set(re.findall(r"[A-Za-z_]\w*", header.decode("utf-8", "replace")))
    return words - {"for", "while", "in", "of", "let", "const", "var", "int", "auto", "size_t", "range", "loop", "std", "uint32_t", "unsigned"}


def _iterable_root(source: Source, node: tree_sitter.Node) -> str | None:
    iterable = node.child_by_field_name("right") or node.child_by_field_name("value")
    if iterable is None:
        clause = next((c for c in node.named_children if c.type == "range_clause"), None)
        iterable = clause.child_by_field_name("right") if clause is not None else None
    if iterable is None:
        return None
    match = re.match(r"[$@]?(\w+)", source.text(iterable))
    return match.group(1) if match else None


def _parameters(source: Source, function: Scope | None) -> set[str]:
    if function is None:
        return set()
    params = function.node.child_by_field_name("parameters")
    if params is None:
        return set()
    return set(re.findall(r"[$@]?([A-Za-z_]\w*)", source.text(params))) - {"self", "this", "cls"}
