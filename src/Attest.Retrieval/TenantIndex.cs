namespace Attest.Retrieval;

/// <summary>
/// One tenant's in-memory index: inverted lists keyed by hashed terms (BM25), optional vectors (exact cosine) and the
/// documents' ACLs. Nothing in it is shared with another tenant. Rebuilt from the store and kept current by applying
/// the store's change feed. Thread-safe: searches share a read lock, updates take the write lock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Indexes live as long as the process; a replaced index may still be read by in-flight searches, so its lock is left to the GC.")]
public sealed partial class TenantIndex(string tenant)
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<DocumentKey, int> _docIndex = [];
    private readonly List<DocEntry?> _docs = [];
    private readonly Dictionary<ulong, PostingList> _postings = [];
    // Subject -> document slots whose allow list named it (a superset: entries are re-checked against the live ACL).
    private readonly Dictionary<string, HashSet<int>> _allowIndex = new(StringComparer.Ordinal);
    private int[] _chunkDoc = new int[256];
    private int[] _chunkLen = new int[256];
    private int[] _chunkOrdinal = new int[256];
    private float[]?[] _vectors = new float[]?[256];
    private int _chunkCount, _alive, _liveDocs;
    private long _totalLen;
    private long _version;

    public string Tenant { get; } = tenant;
    /// <summary>Serialises refreshes of this index (loads from the store happen outside the lock).</summary>
    public SemaphoreSlim RefreshGate { get; } = new(1, 1);
    public bool Loaded { get; private set; }
    public long Version => Interlocked.Read(ref _version);
    public int LiveChunks { get { _lock.EnterReadLock(); try { return _alive; } finally { _lock.ExitReadLock(); } } }
    public int LiveDocuments { get { _lock.EnterReadLock(); try { return _liveDocs; } finally { _lock.ExitReadLock(); } } }
    /// <summary>True when tombstones outnumber live chunks: the owner should rebuild from the store.</summary>
    public bool NeedsCompaction { get { _lock.EnterReadLock(); try { return _chunkCount - _alive > 4096 && _chunkCount - _alive > _alive; } finally { _lock.ExitReadLock(); } } }

    private sealed class DocEntry(IndexedDocument d)
    {
        public DocumentKey Key { get; } = d.Key;
        public string Classification { get; set; } = d.Classification;
        public string ContentMac { get; } = d.ContentMac;
        public HashSet<string> Allow { get; set; } = new(d.Acl.Allow, StringComparer.Ordinal);
        public HashSet<string> Deny { get; set; } = new(d.Acl.Deny, StringComparer.Ordinal);
        public int[] Chunks { get; set; } = [];
    }

    private sealed class PostingList
    {
        public int[] Chunks = new int[4];
        public ushort[] Frequencies = new ushort[4];
        public int Count;

        public void Add(int chunk, ushort tf)
        {
            if (Count == Chunks.Length)
            {
                Array.Resize(ref Chunks, Count * 2);
                Array.Resize(ref Frequencies, Count * 2);
            }
            Chunks[Count] = chunk;
            Frequencies[Count++] = tf;
        }
    }

    /// <summary>Applies the current state of documents (absent ones are removed) and moves the version forward.</summary>
    public void Apply(IReadOnlyList<IndexedDocument> present, IReadOnlyList<DocumentKey> changed, long version, Func<IndexedDocument, IndexedChunk, float[]?> vector)
    {
        var byKey = present.ToDictionary(d => d.Key);
        _lock.EnterWriteLock();
        try
        {
            var changedSet = changed.ToHashSet();
            foreach (var key in changedSet)
            {
                if (byKey.TryGetValue(key, out var doc)) Upsert(doc, vector);
                else Remove(key);
            }
            foreach (var doc in present) if (!changedSet.Contains(doc.Key)) Upsert(doc, vector);
            if (version > _version) Interlocked.Exchange(ref _version, version);
            Loaded = true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    private void Upsert(IndexedDocument doc, Func<IndexedDocument, IndexedChunk, float[]?> vector)
    {
        if (_docIndex.TryGetValue(doc.Key, out var slot) && _docs[slot] is { } existing && existing.ContentMac == doc.ContentMac
            && existing.Chunks.Length == doc.Chunks.Count)
        {
            // Same content: only permissions or classification changed; no re-indexing.
            existing.Allow = new(doc.Acl.Allow, StringComparer.Ordinal);
            existing.Deny = new(doc.Acl.Deny, StringComparer.Ordinal);
            existing.Classification = doc.Classification;
            IndexAllow(slot, doc.Acl.Allow);
            return;
        }
        Remove(doc.Key);
        var entry = new DocEntry(doc);
        int docSlot = _docs.Count;
        _docs.Add(entry);
        _docIndex[doc.Key] = docSlot;
        _liveDocs++;
        IndexAllow(docSlot, doc.Acl.Allow);
        var chunks = new int[doc.Chunks.Count];
        for (int i = 0; i < doc.Chunks.Count; i++)
        {
            var c = doc.Chunks[i];
            int id = NewChunk(docSlot, c.Ordinal, c.Length, vector(doc, c));
            chunks[i] = id;
            var p = c.Postings.AsSpan();
            for (int e = 0, n = PostingsCodec.Count(p); e < n; e++)
            {
                var (term, tf) = PostingsCodec.Entry(p, e);
                if (!_postings.TryGetValue(term, out var list)) _postings[term] = list = new PostingList();
                list.Add(id, tf);
            }
        }
        entry.Chunks = chunks;
    }

    private void IndexAllow(int docSlot, IEnumerable<string> allow)
    {
        foreach (var subject in allow)
        {
            if (!_allowIndex.TryGetValue(subject, out var slots)) _allowIndex[subject] = slots = [];
            slots.Add(docSlot);
        }
    }

    private int NewChunk(int docSlot, int ordinal, int length, float[]? vector)
    {
        if (_chunkCount == _chunkDoc.Length)
        {
            int size = _chunkCount * 2;
            Array.Resize(ref _chunkDoc, size);
            Array.Resize(ref _chunkLen, size);
            Array.Resize(ref _chunkOrdinal, size);
            Array.Resize(ref _vectors, size);
        }
        int id = _chunkCount++;
        _chunkDoc[id] = docSlot;
        _chunkLen[id] = length;
        _chunkOrdinal[id] = ordinal;
        _vectors[id] = vector;
        _alive++;
        _totalLen += length;
        return id;
    }

    private void Remove(DocumentKey key)
    {
        if (!_docIndex.Remove(key, out var slot) || _docs[slot] is not { } entry) return;
        foreach (var c in entry.Chunks)
        {
            _chunkDoc[c] = -1;
            _vectors[c] = null;
            _alive--;
            _totalLen -= _chunkLen[c];
        }
        _docs[slot] = null;
        _liveDocs--;
    }
}
