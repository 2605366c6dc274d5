//! The packed index: every file a searcher needs in one blob, so the browser makes one
//! request and the site ships one content-hashed file.
//!
//! # Format (version 2)
//!
//! The blob is a valid, empty WebAssembly module whose only section is a custom section.
//! Static hosts compress `.wasm` responses but usually not unknown binary types, so shipping
//! the index as `search-index.<hash>.wasm` gets it compressed on the wire with no host
//! configuration; nothing ever instantiates it.
//!
//! ```text
//! 00 61 73 6d 01 00 00 00   WebAssembly magic and version 1
//! 00                        custom section id
//! LEB128 u32                section size (everything below)
//! 0x16 "carepages-search-index"  name length (22, LEB128), then the name
//! u32 LE                    format version (2: listings carry their language)
//! u32 LE                    file count N
//! N times:                  u16 LE name length, name (UTF-8), u32 LE data length
//! the N files' data, concatenated in table order
//! ```
//!
//! Files are sorted by name. They are tantivy's `meta.json` and the segment's files, with the
//! segment's random id replaced by [`SEGMENT_ID`] (so the same listings give the same bytes),
//! and [`SYNONYMS_FILE`], the synonym groups as JSON. Lock files and tantivy's
//! `.managed.json` are never included.
//!
//! A patched index (the preview's) adds a second segment, [`PATCH_SEGMENT_ID`], and
//! [`PATCH_FILE`]. Engines that predate patching would ignore that file; the preview always
//! serves its own engine, so patching kept the version. Version 2 added the `lang` field.

use crate::SearchError;

/// Bump when the layout or the schema changes; a reader refuses other versions.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// The id every packed segment gets, in its file names and in `meta.json`.
pub(crate) const SEGMENT_ID: &str = "00000000000000000000000000000001";
/// The synonym groups, as a JSON array of arrays of strings.
pub(crate) const SYNONYMS_FILE: &str = "carepages-synonyms.json";
/// The council's vocabulary ([`crate::Vocabulary`]) as JSON: what queries are read against.
pub(crate) const VOCABULARY_FILE: &str = "carepages-vocabulary.json";
/// Only in a patched index (the preview's, see [`crate::patch_index`]): a [`Patch`] as JSON.
pub(crate) const PATCH_FILE: &str = "carepages-patch.json";
/// The id of a patched index's second segment, which holds the listings saved since.
pub(crate) const PATCH_SEGMENT_ID: &str = "00000000000000000000000000000002";

/// What a patched index changes in its full one.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Patch {
    /// Documents of the full segment (by id) that no longer count.
    pub(crate) hidden: Vec<u32>,
    /// For each document of the second segment, in id order: how many documents of the full
    /// segment come before it by name.
    pub(crate) ranks: Vec<u32>,
}

const WASM_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SECTION_NAME: &str = "carepages-search-index";

/// Writes `files` (name, data) into one blob. Names must be unique.
pub(crate) fn pack(files: &mut [(String, Vec<u8>)]) -> Result<Vec<u8>, SearchError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let too_big = |what: &str| SearchError::Corrupt(format!("{what} is too large to pack"));
    let mut payload = Vec::new();
    payload.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let count = u32::try_from(files.len()).map_err(|_| too_big("the file list"))?;
    payload.extend_from_slice(&count.to_le_bytes());
    for (name, data) in files.iter() {
        let name_len = u16::try_from(name.len()).map_err(|_| too_big(name))?;
        let data_len = u32::try_from(data.len()).map_err(|_| too_big(name))?;
        payload.extend_from_slice(&name_len.to_le_bytes());
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(&data_len.to_le_bytes());
    }
    for (_, data) in files.iter() {
        payload.extend_from_slice(data);
    }
    let mut name = Vec::new();
    leb128(SECTION_NAME.len() as u32, &mut name);
    name.extend_from_slice(SECTION_NAME.as_bytes());
    let size = u32::try_from(name.len() + payload.len()).map_err(|_| too_big("the index"))?;
    let mut out = Vec::with_capacity(16 + size as usize);
    out.extend_from_slice(&WASM_HEADER);
    out.push(0);
    leb128(size, &mut out);
    out.extend_from_slice(&name);
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Reads the files back, borrowing their data from `bytes`. Checks every length, so a
/// truncated or foreign file is an error, never a panic.
pub(crate) fn unpack(bytes: &[u8]) -> Result<Vec<(&str, &[u8])>, SearchError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(8)? != WASM_HEADER || reader.take(1)? != [0] {
        return Err(corrupt("it does not start like a carepages index"));
    }
    let size = reader.leb128()? as usize;
    if reader.bytes.len() - reader.at != size {
        return Err(corrupt("its length does not match its header"));
    }
    let name_len = reader.leb128()? as usize;
    if reader.take(name_len)? != SECTION_NAME.as_bytes() {
        return Err(corrupt("it is some other WebAssembly file"));
    }
    let found = reader.u32()?;
    if found != FORMAT_VERSION {
        return Err(SearchError::Version {
            found,
            expected: FORMAT_VERSION,
        });
    }
    let count = reader.u32()? as usize;
    let mut table = Vec::new();
    for _ in 0..count {
        let name_len = usize::from(reader.u16()?);
        let name = std::str::from_utf8(reader.take(name_len)?)
            .map_err(|_| corrupt("a file name is not UTF-8"))?;
        let len = reader.u32()? as usize;
        table.push((name, len));
    }
    let mut files = Vec::with_capacity(table.len());
    for (name, len) in table {
        files.push((name, reader.take(len)?));
    }
    if reader.at != bytes.len() {
        return Err(corrupt("it has bytes after its last file"));
    }
    Ok(files)
}

fn corrupt(why: &str) -> SearchError {
    SearchError::Corrupt(why.to_owned())
}

fn leb128(mut value: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], SearchError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| corrupt("it is truncated"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, SearchError> {
        let mut le = [0; 2];
        le.copy_from_slice(self.take(2)?);
        Ok(u16::from_le_bytes(le))
    }

    fn u32(&mut self) -> Result<u32, SearchError> {
        let mut le = [0; 4];
        le.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(le))
    }

    fn leb128(&mut self) -> Result<u32, SearchError> {
        let mut value: u32 = 0;
        for shift in [0, 7, 14, 21, 28] {
            let byte = self.take(1)?[0];
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(corrupt("a length is malformed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut files = vec![
            ("meta.json".to_owned(), b"{}".to_vec()),
            ("a.idx".to_owned(), vec![1, 2, 3]),
        ];
        pack(&mut files).expect("pack")
    }

    #[test]
    fn round_trips_files_sorted_by_name() {
        let bytes = sample();
        let files = unpack(&bytes).expect("unpack");
        assert_eq!(
            files,
            [("a.idx", &[1u8, 2, 3][..]), ("meta.json", &b"{}"[..])]
        );
    }

    #[test]
    fn is_a_wasm_module_with_one_custom_section() {
        let bytes = sample();
        assert_eq!(bytes[..8], WASM_HEADER);
        assert_eq!(bytes[8], 0);
        assert_eq!(usize::from(bytes[9]), bytes.len() - 10);
    }

    #[test]
    fn long_sections_use_multi_byte_lengths() {
        let mut files = vec![("big".to_owned(), vec![7u8; 300])];
        let bytes = pack(&mut files).expect("pack");
        assert_eq!(unpack(&bytes).expect("unpack")[0].1.len(), 300);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(unpack(&bytes[..len]).is_err(), "truncated to {len}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(unpack(&extra).is_err());
    }

    #[test]
    fn other_versions_are_refused_by_name() {
        let mut bytes = sample();
        let version_at = 10 + 1 + SECTION_NAME.len();
        bytes[version_at] = 9;
        assert!(matches!(
            unpack(&bytes),
            Err(SearchError::Version { found: 9, .. })
        ));
    }
}
